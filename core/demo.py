"""Demo data for the core app: users per role and site, and fictitious people.

Names come from a fixed list of obviously invented Dutch names (all starting
with "Demo-"); every person is created through ``core.services.person_create``
like in the UI, by ``demo_person`` when a demo intake case needs one.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from core.models import Gender, Person, Site
from core.scoping import Role
from core.services import (
    functional_admin_enable,
    membership_grant,
    person_create,
    user_create,
)

DEMO_PASSWORD = "demo-kv-monitor"  # noqa: S105 - printed for the demo on purpose

ROLE_PREFIX = {
    Role.CASEMANAGER: "cm",
    Role.PROJECT_LEADER: "pl",
    Role.RESEARCHER: "onderzoek",
    Role.FUNCTIONAL_ADMIN: "beheer",
}

# How the demo users are greeted ("Welkom, Casemanager KV Almelo").
ROLE_TITLE = {
    "cm": "Casemanager",
    "pl": "Projectleider",
    "onderzoek": "Onderzoeker",
    "beheer": "Functioneel beheerder",
}

FIRST_NAMES = [
    "Demo-Jan", "Demo-Piet", "Demo-Kees", "Demo-Ahmed", "Demo-Mohamed", "Demo-Sander",
    "Demo-Dennis", "Demo-Kevin", "Demo-Youssef", "Demo-Rick", "Demo-Bas", "Demo-Stefan",
    "Demo-Mark", "Demo-Tim", "Demo-Ricardo", "Demo-Erik", "Demo-Hakan", "Demo-Jeroen",
]  # fmt: skip
LAST_NAMES = [
    "Fictief", "Voorbeeld", "Testman", "de Proef", "van Demo", "Oefening",
    "Jansen-Demo", "Bakker-Demo", "Visser-Demo", "Smit-Demo", "de Vries-Demo",
    "Mulder-Demo", "de Jong-Demo", "Bos-Demo", "Peters-Demo", "Dekker-Demo",
    "Brouwer-Demo", "de Wit-Demo", "Meijer-Demo", "Hendriks-Demo",
]  # fmt: skip
MUNICIPALITIES = {
    "almelo": ["Almelo", "Enschede", "Hengelo", "Oldenzaal", "Rijssen-Holten"],
    "amsterdam": ["Amsterdam"],
    "krimpen": ["Rotterdam", "Dordrecht", "Gouda", "Krimpen aan den IJssel"],
    "middelburg": ["Middelburg", "Vlissingen", "Goes", "Terneuzen", "Bergen op Zoom"],
    "rotterdam": ["Rotterdam", "Spijkenisse", "Schiedam", "Vlaardingen"],
}


@dataclass
class DemoContext:
    """What earlier demo steps made, for the later ones."""

    rng: random.Random
    today: datetime.date
    sites: dict[str, Site]
    users: dict[str, AbstractBaseUser] = field(default_factory=dict)
    people: dict[str, list[Person]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def casemanager(self, site: Site) -> AbstractBaseUser:
        return self.users[f"cm-{site.code}"]


def seed_users(ctx: DemoContext) -> None:
    for site in ctx.sites.values():
        for role, prefix in ROLE_PREFIX.items():
            username = f"{prefix}-{site.code}"
            user = user_create(
                username=username,
                password=DEMO_PASSWORD,
                first_name=ROLE_TITLE[prefix],
                last_name=site.name,
            )
            membership_grant(user=user, site=site, role=role, granted_by=None)
            if role == Role.FUNCTIONAL_ADMIN:
                functional_admin_enable(user=user)
            ctx.users[username] = user
    for role, prefix in [
        (Role.PROJECT_LEADER, "pl"),
        (Role.RESEARCHER, "onderzoek"),
    ]:
        username = f"{prefix}-programma"
        user = user_create(
            username=username,
            password=DEMO_PASSWORD,
            first_name=ROLE_TITLE[prefix],
            last_name="Koers en kansen",
        )
        for site in ctx.sites.values():
            membership_grant(user=user, site=site, role=role, granted_by=None)
        ctx.users[username] = user
    get_user_model().objects.create_superuser(
        username="admin", password=DEMO_PASSWORD, email=""
    )


def seed_people(ctx: DemoContext) -> None:
    """Start every site without people: the intake step registers a person
    with each case it opens, so nobody has an empty timeline and a site that
    never took candidates (Amsterdam) has nobody."""
    for code in ctx.sites:
        ctx.people.setdefault(code, [])


def demo_person(
    ctx: DemoContext, site: Site, registered_on: datetime.date | None = None
) -> Person:
    """Register one fictitious person at ``site`` through the service.

    Names are unique per site while the name lists last; ``registered_on``
    dates the registration back to when the person came in (the demo is
    written in one go, today).
    """
    people = ctx.people.setdefault(site.code, [])
    taken = {(person.first_name, person.last_name) for person in people}
    free = [
        (first, last)
        for first in FIRST_NAMES
        for last in LAST_NAMES
        if (first, last) not in taken
    ]
    if free:
        first_name, last_name = ctx.rng.choice(free)
    else:
        first_name = ctx.rng.choice(FIRST_NAMES)
        last_name = f"{ctx.rng.choice(LAST_NAMES)} {len(people) + 1}"
    person = person_create(
        site=site,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=datetime.date(
            ctx.rng.randint(1965, 2003), ctx.rng.randint(1, 12), ctx.rng.randint(1, 28)
        ),
        gender=Gender.FEMALE
        if site.gender == "any" and ctx.rng.random() < 0.2
        else Gender.MALE,
        dji_number=f"9{ctx.rng.randint(1000000, 9999999)}",
        municipality_of_origin=ctx.rng.choice(
            MUNICIPALITIES.get(site.code, ["Utrecht"])
        ),
    )
    if registered_on is not None:
        person.created_at = timezone.make_aware(
            datetime.datetime.combine(registered_on, datetime.time(9))
        )
        Person.objects.filter(pk=person.pk).update(created_at=person.created_at)
    people.append(person)
    return person


def seed_notifications(ctx: DemoContext) -> None:
    """Demo users get an address, and today's reminder e-mails go out as soon
    as the worker starts (printed on its console), not at 07:00."""
    from django_q.models import Schedule

    for user in ctx.users.values():
        user.email = f"{user.get_username()}@kvmonitor.example"
        user.save(update_fields=["email"])
    Schedule.objects.filter(name="kv: reminder e-mails").update(next_run=timezone.now())

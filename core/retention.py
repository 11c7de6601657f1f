"""Retention: how long identifying data is kept, and pseudonymising what is
past it.

Periods are in ``settings.KV_RETENTION_YEARS`` (years, each overridable from
the environment; see the README):

``intake_case``
    an intake case that did not lead to a placement (rejected, declined,
    withdrawn, handed back, waitlisted): counted from ``closed_on``;
``stay``
    a stay (placement): counted from the outflow date ``ended_on``; an
    intake case that led to a placement follows its stay;
``person``
    a registered person with no intake case and no stay: counted from
    ``created_at``;
``audit_event``
    an audit-log event: counted from ``at``.

A person is past retention when *every* period that applies to them has run
out: no open intake case, no stay without outflow, nothing closed or ended
within its period. Such a person is pseudonymised: first and last name become
the research pseudonym, the DJI number is blanked, the date of birth becomes
1 July of the birth year, and the same is done in the person's history rows.
Research data (measurements, plans, stays, intake steps, municipalities) are
kept: they carry only the pseudonym. Free text that names or describes people
around the client is blanked in the live rows *and* in their history rows
(each app's ``retention_scrubbed_text``): referring person, network members
and case roles, contact names, who decided or checked, participants, notes and reasons.
Kept, because research evaluates them and they describe the trajectory rather
than a person: plan and goal texts (personal goal, restorative aims, goal and
activity descriptions), job titles, consent scope, document titles and codes,
and the measurement answers (the research instrument, entered by researchers
who see pseudonyms only).

``import_file``
    a kept uploaded list (names, birth dates, DJI numbers): counted from the
    upload; the file is deleted, the import record (who, when, counts) stays.
    Default one year (``DEFAULT_YEARS``): the list is only needed to check an
    import; what it opened follows its own period.

``read_access``
    a row of the read-access log (who looked at which person's file, from
    where): counted from the read; deleted, since it is about people only.

An audit event past retention loses the
user who did it and its details; kind, time, site and summary stay for the
statistics. Every run with ``--confirm`` writes one ``AuditKind.RETENTION``
event per site, listing pseudonyms only.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from core import registry
from core.concurrency import versioned_save
from core.models import AuditEvent, AuditKind, Person, ReadAccess, Site
from core.services import audit_event_record

RETENTION_KINDS = ("intake_case", "stay", "person", "audit_event")
# What ran out, in the words of the monthly listing.
RETENTION_KIND_LABELS = {
    "intake_case": _("intake case without placement, closed"),
    "stay": _("stay, ended"),
    "person": _("registered, without intake case or stay"),
}
# Kinds added later: a period here unless settings.KV_RETENTION_YEARS sets one.
DEFAULT_YEARS = {"import_file": 1, "read_access": 5}
PSEUDONYMISED_FIELDS = ("first_name", "last_name", "dji_number", "date_of_birth")
# What a required text field holds once its content is removed.
REMOVED_TEXT = "[removed: retention]"


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a non-leap target year
        return day.replace(year=day.year - years, day=28)


def retention_years() -> dict[str, int]:
    configured = getattr(settings, "KV_RETENTION_YEARS", {})
    missing = [kind for kind in RETENTION_KINDS if kind not in configured]
    if missing:
        raise ValueError(f"KV_RETENTION_YEARS lacks {missing}")
    years = {kind: int(configured[kind]) for kind in RETENTION_KINDS}
    for kind, default in DEFAULT_YEARS.items():
        years[kind] = int(configured.get(kind, default))
    return years


@dataclass(frozen=True)
class DuePerson:
    person: Person
    kind: str


def _cutoffs(today: datetime.date) -> dict[str, datetime.date]:
    """Per retention kind, the day on or before which its period ran out."""
    return {
        kind: years_before(today, years) for kind, years in retention_years().items()
    }


def people_past_retention(*, today: datetime.date | None = None) -> list[DuePerson]:
    """People not yet pseudonymised whose every retention period has run out.

    Each app says which of its records keep a person identifiable
    (``retention_records`` on its AppConfig); a person with none is kept for
    the ``person`` period after registration."""
    today = today or timezone.localdate()
    cutoffs = _cutoffs(today)
    people = Person.objects.filter(pseudonymised_at__isnull=True)
    holders: list[tuple[int, str, set[int]]] = []
    for records in registry.dotted("retention_records"):
        held = records(cutoffs=cutoffs)
        people = people.exclude(pk__in=held.still_kept.values("person_id"))
        ids = set(held.records.values_list("person_id", flat=True))
        holders.append((held.priority, held.kind, ids))
    holders.sort(key=lambda holder: -holder[0])
    due = []
    for person in people.select_related("site").order_by("site__code", "pk"):
        kind = next((k for _p, k, ids in holders if person.pk in ids), None)
        if kind is None and timezone.localdate(person.created_at) <= cutoffs["person"]:
            kind = "person"
        if kind is not None:
            due.append(DuePerson(person=person, kind=kind))
    return due


def audit_events_past_retention(
    *, today: datetime.date | None = None
) -> models.QuerySet[AuditEvent]:
    today = today or timezone.localdate()
    cutoff = years_before(today, retention_years()["audit_event"])
    return (
        AuditEvent.objects.filter(at__date__lt=cutoff)
        .exclude(kind=AuditKind.RETENTION)
        .filter(Q(actor__isnull=False) | ~Q(actor_username="") | ~Q(details={}))
    )


def read_accesses_past_retention(
    *, today: datetime.date | None = None
) -> models.QuerySet[ReadAccess]:
    today = today or timezone.localdate()
    cutoff = years_before(today, retention_years()["read_access"])
    return ReadAccess.objects.filter(at__date__lt=cutoff)


def import_files_cutoff(*, today: datetime.date | None = None) -> datetime.datetime:
    """Kept list files uploaded before this moment are past retention."""
    today = today or timezone.localdate()
    day = years_before(today, retention_years()["import_file"])
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def import_files_past_retention(*, today: datetime.date | None = None) -> int:
    cutoff = import_files_cutoff(today=today)
    return sum(
        count(uploaded_before=cutoff)
        for count in registry.dotted("retention_files_due")
    )


def _scrub_case_text(person: Person) -> None:
    for scrubbed in registry.dotted("retention_scrubbed_text"):
        for model, names in scrubbed().items():
            values = {
                name: "" if model._meta.get_field(name).blank else REMOVED_TEXT
                for name in names
            }
            lookup = model.person_lookup
            # queryset updates: blanking is not an edit to record in the history
            model._default_manager.filter(**{lookup: person}).update(**values)
            model.history.filter(**{f"{lookup}_id": person.pk}).update(**values)


def _pseudonymised_values(person: Person) -> dict[str, Any]:
    return {
        "first_name": person.pseudonym,
        "last_name": person.pseudonym,
        "dji_number": "",
        "date_of_birth": datetime.date(person.date_of_birth.year, 7, 1),
    }


@transaction.atomic
def person_pseudonymise(*, person: Person) -> Person:
    """Replace what identifies ``person``, in the row and in its history."""
    values = _pseudonymised_values(person)
    for field, value in values.items():
        setattr(person, field, value)
    person.pseudonymised_at = timezone.now()
    person.full_clean()
    versioned_save(instance=person, fields=[*PSEUDONYMISED_FIELDS, "pseudonymised_at"])
    # The audit history must not keep what the record no longer holds.
    Person.history.filter(id=person.pk).update(**values)
    _scrub_case_text(person)
    return person


@dataclass
class RetentionResult:
    people: list[DuePerson]
    audit_events: int
    import_files: int = 0
    read_accesses: int = 0


@transaction.atomic
def retention_apply(
    *, actor: AbstractBaseUser | None = None, today: datetime.date | None = None
) -> RetentionResult:
    """Pseudonymise every person and audit event past retention and delete
    the kept import files past theirs, audited (per site for people) in the
    same transaction; the files go when it commits."""
    due = people_past_retention(today=today)
    by_site: dict[Site, list[DuePerson]] = defaultdict(list)
    for entry in due:
        person_pseudonymise(person=entry.person)
        by_site[entry.person.site].append(entry)
    events = audit_events_past_retention(today=today)
    event_count = events.update(actor=None, actor_username="", details={})
    for site, entries in by_site.items():
        audit_event_record(
            actor=actor,
            username="" if actor else "retention",
            kind=AuditKind.RETENTION,
            site=site,
            summary=gettext_noop("%(count)s people pseudonymised past retention"),
            params={"count": len(entries)},
            details={
                "periods_years": retention_years(),
                "people": [
                    {"pseudonym": e.person.pseudonym, "kind": e.kind} for e in entries
                ],
            },
        )
    if event_count:
        audit_event_record(
            actor=actor,
            username="" if actor else "retention",
            kind=AuditKind.RETENTION,
            summary=gettext_noop(
                "User and details removed from %(count)s audit events"
            ),
            params={"count": event_count},
            details={"audit_events": event_count},
        )
    files = 0
    purges = registry.dotted("retention_file_purges")
    if purges:
        cutoff = import_files_cutoff(today=today)
        files = sum(purge(uploaded_before=cutoff) for purge in purges)
        if files:
            audit_event_record(
                actor=actor,
                username="" if actor else "retention",
                kind=AuditKind.RETENTION,
                summary=gettext_noop(
                    "%(count)s kept import files deleted past retention"
                ),
                params={"count": files},
                details={"import_files": files, "uploaded_before": str(cutoff)},
            )
    reads, _by_model = read_accesses_past_retention(today=today).delete()
    if reads:
        audit_event_record(
            actor=actor,
            username="" if actor else "retention",
            kind=AuditKind.RETENTION,
            summary=gettext_noop(
                "Deleted %(count)s read-access log rows past retention"
            ),
            params={"count": reads},
            details={"read_accesses": reads},
        )
    return RetentionResult(
        people=due, audit_events=event_count, import_files=files, read_accesses=reads
    )


def retention_listing_make(*, today: datetime.date | None = None) -> list[Any]:
    """The monthly listing: per site with people past retention, store who
    (pseudonyms and kind), audit it and e-mail the site's functional
    administrators how many there are, with a link to the listing page.
    Changes nothing else; returns the listings made."""
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation
    from django.utils.translation import gettext

    from core.digest import absolute_url
    from core.models import Membership, RetentionListing
    from core.scoping import Role

    by_site: dict[Site, list[DuePerson]] = defaultdict(list)
    for entry in people_past_retention(today=today):
        by_site[entry.person.site].append(entry)
    listings = []
    for site, entries in sorted(by_site.items(), key=lambda item: item[0].code):
        with transaction.atomic():
            listing = RetentionListing.objects.create(
                site=site,
                people=[
                    {"pseudonym": e.person.pseudonym, "kind": e.kind} for e in entries
                ],
            )
            audit_event_record(
                actor=None,
                username="retention",
                kind=AuditKind.RETENTION,
                site=site,
                summary=gettext_noop(
                    "Monthly listing: %(count)s people past retention (nothing changed)"
                ),
                params={"count": len(entries)},
                details={"listing": listing.pk, "people": len(entries)},
            )
        listings.append(listing)
        recipients = sorted(
            set(
                Membership.objects.filter(
                    site=site,
                    role=Role.FUNCTIONAL_ADMIN,
                    user__is_active=True,
                )
                .exclude(user__email="")
                .values_list("user__email", flat=True)
            )
        )
        if not recipients:
            continue
        counts: dict[str, int] = defaultdict(int)
        for entry in entries:
            counts[entry.kind] += 1
        with translation.override(settings.LANGUAGE_CODE):
            send_mail(
                subject=gettext("KV Monitor: people past retention at %(site)s")
                % {"site": site.name},
                message=render_to_string(
                    "core/email/retention_listing.txt",
                    {
                        "site": site,
                        "total": len(entries),
                        "counts": [
                            (RETENTION_KIND_LABELS.get(kind, kind), count)
                            for kind, count in sorted(counts.items())
                        ],
                        "url": absolute_url(reverse("core:retention_listing")),
                    },
                ),
                from_email=None,
                recipient_list=recipients,
            )
    return listings

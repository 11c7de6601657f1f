"""Demo data for partners, all fictitious and written through the services.

Organisations and responsibility tables come from the reference data;
contact persons (with backups), and per stay the roles, consents and social
network are invented here.
"""

from __future__ import annotations

import datetime

from core.demo import DemoContext
from core.models import Person
from partners.models import (
    CaseRoleKind,
    Consent,
    ConsentKind,
    ContactPerson,
    NetworkContactKind,
    Organisation,
    OrganisationKind,
    Relation,
    ResponsibilityTable,
    RoleContactKind,
)
from partners.reference import partners_load
from partners.services import (
    case_role_assign,
    case_role_end,
    consent_record,
    consent_withdraw,
    contact_person_create,
    contact_person_set_backup,
    network_contact_record,
    network_member_add,
    role_contact_record,
)

CONTACT_NAMES = [
    "Demo-Anja Contact", "Demo-Bert Contact", "Demo-Carla Contact", "Demo-Daan Contact",
    "Demo-Eva Contact", "Demo-Frits Contact", "Demo-Gerda Contact", "Demo-Henk Contact",
]  # fmt: skip
NETWORK_NAMES = [
    "Demo-Partner",
    "Demo-Moeder",
    "Demo-Zoon",
    "Demo-Broer",
    "Demo-Vriend",
]
RELATIONS = [
    Relation.PARTNER,
    Relation.PARENT,
    Relation.CHILD,
    Relation.FAMILY,
    Relation.FRIEND,
]
FUNCTIONS = {
    OrganisationKind.PI: "casemanager",
    OrganisationKind.MUNICIPALITY: "nazorgcoördinator",
    OrganisationKind.VOLUNTEERS: "arbeidsconsulent",
    OrganisationKind.PROBATION: "reclasseringswerker",
}


def seed_organisations(ctx: DemoContext) -> None:
    """Contact persons with a backup for every reference organisation."""
    if not ResponsibilityTable.objects.exists():
        partners_load()
    for index, organisation in enumerate(Organisation.objects.order_by("name")):
        function = FUNCTIONS.get(organisation.kind, "contactpersoon")
        first = contact_person_create(
            organisation=organisation,
            name=CONTACT_NAMES[index % len(CONTACT_NAMES)],
            function=function,
            phone="0000-000000",
        )
        second = contact_person_create(
            organisation=organisation,
            name=CONTACT_NAMES[(index + 3) % len(CONTACT_NAMES)],
            function=f"{function} (backup)",
            backup=first,
        )
        contact_person_set_backup(contact=first, backup=second)


def _contact(site_organisations: list[Organisation], kind: str) -> ContactPerson | None:
    for organisation in site_organisations:
        if organisation.kind == kind:
            return organisation.contacts.order_by("pk").first()
    return None


def _active(person: Person, kind: str) -> Consent | None:
    return Consent.objects.filter(
        person=person, kind=kind, withdrawn_on__isnull=True
    ).first()


def seed_case_partners(ctx: DemoContext) -> None:
    """Roles, consents and social network for every stay of the demo."""
    withdrawn: set[int] = set()
    for stay in ctx.extra.get("stays", []):
        person = stay.person
        organisations = list(Organisation.objects.for_site(stay.site).order_by("name"))
        start = stay.placed_on
        for role, kind in [
            (CaseRoleKind.REGIEVOERDER, OrganisationKind.PI),
            (CaseRoleKind.AFTERCARE, OrganisationKind.MUNICIPALITY),
            (CaseRoleKind.LABOUR_CONSULTANT, OrganisationKind.VOLUNTEERS),
        ]:
            contact = _contact(organisations, kind)
            if contact is not None:
                case_role_assign(
                    person=person, role=role, contact=contact, started_on=start
                )
        buddy = case_role_assign(
            person=person,
            role=CaseRoleKind.BUDDY,
            name=f"Demo-Buddy {ctx.rng.randint(1, 40)}",
            started_on=min(start + datetime.timedelta(days=7), ctx.today),
        )
        last = min(stay.ended_on or ctx.today, start + datetime.timedelta(days=120))
        day = start + datetime.timedelta(days=14)
        while day < last:
            role_contact_record(
                case_role=buddy,
                contacted_on=day,
                kind=RoleContactKind.ONE_TO_ONE,
                report_on=min(
                    day + datetime.timedelta(days=ctx.rng.randint(1, 7)), ctx.today
                ),
                notes="Persoonlijk plan en doelen besproken (demo).",
            )
            day += datetime.timedelta(days=14)
        # A consent the intake recorded (Almelo's toestemmingsverklaring) is
        # not entered again: a consent is recorded once.
        consent = _active(person, ConsentKind.INFORMATION_EXCHANGE) or consent_record(
            person=person,
            kind=ConsentKind.INFORMATION_EXCHANGE,
            given_on=start,
            scope="Informatie-uitwisseling tussen alle netwerkpartners van de KV.",
            document="Toestemmingsverklaring (demo)",
        )
        # One person per site withdrew the consent, a month in.
        withdraw_on = start + datetime.timedelta(days=30)
        if stay.site_id not in withdrawn and withdraw_on <= ctx.today:
            withdrawn.add(stay.site_id)
            consent_withdraw(
                consent=consent,
                withdrawn_on=withdraw_on,
                note="Ingetrokken in een gesprek met de casemanager (demo).",
            )
        if stay.jobs.exists() and not _active(person, ConsentKind.EMPLOYER_CONTACT):
            consent_record(
                person=person,
                kind=ConsentKind.EMPLOYER_CONTACT,
                given_on=start,
                scope="Contact tussen de KV en de werkgever over aanwezigheid.",
            )
        if ctx.rng.random() < 0.8:
            for index in range(ctx.rng.randint(1, 3)):
                member = network_member_add(
                    person=person,
                    relation=RELATIONS[index],
                    name=NETWORK_NAMES[index],
                    supportive=True,
                )
                for week in range(ctx.rng.randint(1, 6)):
                    if start + datetime.timedelta(days=7 * week + 3) > ctx.today:
                        break
                    network_contact_record(
                        member=member,
                        contacted_on=start + datetime.timedelta(days=7 * week + 3),
                        kind=ctx.rng.choice(NetworkContactKind.values),
                        minutes=ctx.rng.choice([15, 30, 60]),
                    )


def seed_taken_over_roles(ctx: DemoContext) -> None:
    """Almelo: the probation officer (toezichthouder) during the stay is
    agreed to the 3RO (table 2.1.1), but the HvH found it hard to involve
    one "vanwege de beperkte capaciteit bij de reclassering" (L3100-3103);
    as obstacle C says, the KV then does the task itself (L4973-4975). About
    a third of the Almelo stays get the HvH's casemanager (PI Almelo) in that
    role, the rest a reclasseringswerker of the 3RO."""
    probation = Organisation.objects.filter(
        name="3 reclasseringsorganisaties (3RO)"
    ).first()
    kv = Organisation.objects.filter(name="PI Almelo").first()
    if probation is None or kv is None:
        return
    for stay in ctx.extra.get("stays", []):
        if stay.site.code != "almelo":
            continue
        organisation = kv if ctx.rng.random() < 0.35 else probation
        contact = organisation.contacts.order_by("pk").first()
        if contact is None:
            continue
        role = case_role_assign(
            person=stay.person,
            role=CaseRoleKind.PROBATION_OFFICER,
            organisation=organisation,
            contact=contact,
            started_on=min(stay.placed_on + datetime.timedelta(days=3), ctx.today),
        )
        if stay.ended_on and stay.ended_on >= role.started_on:
            case_role_end(case_role=role, ended_on=stay.ended_on)

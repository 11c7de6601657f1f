"""Writes for partners: organisations and contacts, roles on a case, contact
logs, consents and the social network. Typed, keyword-only, atomic."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.dates import add_days, day_text
from core.models import Person, Site
from partners.models import (
    ROLE_HOLDER_REQUIRED,
    WITHDRAWN_BEFORE_GIVEN,
    AgreedRole,
    CaseRole,
    Consent,
    ConsentKind,
    ContactPerson,
    NetworkContact,
    NetworkMember,
    Organisation,
    RequiredConsent,
    RoleContact,
)

BACKUP_SELF = _("A contact person cannot be his own backup.")
BACKUP_OTHER_ORGANISATION = _("The backup must work at the same organisation.")
CONSENT_ALREADY_WITHDRAWN = _("This consent was already withdrawn on %(day)s.")
CONSENT_ALREADY_GIVEN = _(
    "A consent for %(kind)s is already registered (given on %(day)s). A consent "
    "is recorded once; withdraw it first to register a new one."
)
CONTACT_OTHER_ORGANISATION = _("This contact person works at another organisation.")
ORGANISATION_NOT_FOR_SITE = _("This organisation does not work with this site.")

__all__ = ["ROLE_HOLDER_REQUIRED", "WITHDRAWN_BEFORE_GIVEN"]


def performing_organisation_check(
    *, organisation: Organisation | None, site: Site, field: str
) -> None:
    """Refuse a performing (or responsible) organisation that does not work
    for ``site``; the one check behind every "who did the work" field."""
    if organisation is not None and not organisation.serves(site):
        raise ValidationError({field: ORGANISATION_NOT_FOR_SITE})


def agreed_role_organisation(*, site: Site, role: str) -> Organisation | None:
    """The organisation the site's agreements assign ``role`` to, if any."""
    agreed = (
        AgreedRole.objects.filter(site=site, role=role)
        .select_related("organisation")
        .first()
    )
    return agreed.organisation if agreed is not None else None


@transaction.atomic
def organisation_create(
    *, name: str, kind: str, sites: list[Site], phone: str = "", email: str = ""
) -> Organisation:
    organisation = Organisation(
        name=name.strip(), kind=kind, phone=phone.strip(), email=email.strip()
    )
    organisation.full_clean()
    organisation.save()
    organisation.sites.set(sites)
    return organisation


@transaction.atomic
def contact_person_create(
    *,
    organisation: Organisation,
    name: str,
    function: str = "",
    phone: str = "",
    email: str = "",
    backup: ContactPerson | None = None,
) -> ContactPerson:
    """Add a contact person, optionally with a backup at the same organisation."""
    if backup is not None and backup.organisation_id != organisation.pk:
        raise ValidationError({"backup": BACKUP_OTHER_ORGANISATION})
    contact = ContactPerson(
        organisation=organisation,
        name=name.strip(),
        function=function.strip(),
        phone=phone.strip(),
        email=email.strip(),
        backup=backup,
    )
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def contact_person_set_backup(
    *, contact: ContactPerson, backup: ContactPerson | None
) -> ContactPerson:
    if backup is not None and backup.pk == contact.pk:
        raise ValidationError({"backup": BACKUP_SELF})
    if backup is not None and backup.organisation_id != contact.organisation_id:
        raise ValidationError({"backup": BACKUP_OTHER_ORGANISATION})
    contact.backup = backup
    contact.save(update_fields=["backup"])
    return contact


@transaction.atomic
def case_role_assign(
    *,
    person: Person,
    role: str,
    started_on: datetime.date,
    organisation: Organisation | None = None,
    contact: ContactPerson | None = None,
    name: str = "",
    note: str = "",
) -> CaseRole:
    """Record who plays ``role`` for the person from ``started_on``.

    The organisation playing the role is the contact's, or the one given, or
    else the one the site agreed plays it (``AgreedRole``); that agreed one
    is kept with the role so the partners dashboard sees a role taken over
    by another party. An earlier open holder of the same role ends the day
    before.
    """
    if contact is None and not name.strip():
        raise ValidationError({"name": ROLE_HOLDER_REQUIRED})
    agreed = agreed_role_organisation(site=person.site, role=role)
    if contact is not None:
        if organisation is None:
            organisation = contact.organisation
        elif contact.organisation_id != organisation.pk:
            raise ValidationError({"contact": CONTACT_OTHER_ORGANISATION})
    organisation = organisation or agreed
    performing_organisation_check(
        organisation=organisation, site=person.site, field="organisation"
    )
    case_role = CaseRole(
        person=person,
        role=role,
        organisation=organisation,
        agreed_organisation=agreed,
        contact=contact,
        name=name.strip(),
        started_on=started_on,
        note=note.strip(),
    )
    # Checked before the previous holder is touched: its end is computed
    # from this (plausible, not future) start date.
    case_role.full_clean()
    for previous in CaseRole.objects.filter(
        person=person, role=role, ended_on__isnull=True, started_on__lt=started_on
    ):
        previous.ended_on = add_days(started_on, -1)
        previous.save(update_fields=["ended_on"])
    case_role.save()
    return case_role


@transaction.atomic
def case_role_end(*, case_role: CaseRole, ended_on: datetime.date) -> CaseRole:
    case_role.ended_on = ended_on
    case_role.full_clean()
    case_role.save(update_fields=["ended_on"])
    return case_role


@transaction.atomic
def role_contact_record(
    *,
    case_role: CaseRole,
    contacted_on: datetime.date,
    kind: str,
    report_on: datetime.date | None = None,
    notes: str = "",
) -> RoleContact:
    """Log a contact of a buddy, mentor or other role holder with the person."""
    contact = RoleContact(
        case_role=case_role,
        contacted_on=contacted_on,
        kind=kind,
        report_on=report_on,
        notes=notes.strip(),
    )
    contact.full_clean()
    contact.save()
    return contact


def _active_consent(person: Person, kind: str) -> Consent | None:
    return (
        Consent.objects.select_for_update()
        .filter(person=person, kind=kind, withdrawn_on__isnull=True)
        .order_by("-given_on", "-pk")
        .first()
    )


@transaction.atomic
def consent_record(
    *,
    person: Person,
    kind: str,
    given_on: datetime.date,
    scope: str,
    document: str = "",
) -> Consent:
    """Record a consent the person gave, with its scope and document.

    A consent is recorded once: while one of the same kind is in force a
    second is refused (withdraw the first to record a new one).
    """
    Person.objects.select_for_update().filter(pk=person.pk).first()
    active = _active_consent(person, kind)
    if active is not None:
        raise ValidationError(
            CONSENT_ALREADY_GIVEN,
            code="consent_already_given",
            params={"kind": active.get_kind_display(), "day": active.given_on},
        )
    consent = Consent(
        person=person,
        kind=kind,
        given_on=given_on,
        scope=scope.strip(),
        document=document.strip(),
    )
    consent.full_clean()
    consent.save()
    return consent


@transaction.atomic
def consent_from_intake(
    *, person: Person, kind: str, given_on: datetime.date, document: str
) -> Consent:
    """The consent a document or positive consent step of the intake records.

    Recorded once: a consent of this kind in force is kept as it is;
    otherwise a new one gets the scope the site requires for this kind (or
    the kind's name where the site requires none).
    """
    Person.objects.select_for_update().filter(pk=person.pk).first()
    active = _active_consent(person, kind)
    if active is not None:
        return active
    required = RequiredConsent.objects.filter(site_id=person.site_id, kind=kind).first()
    scope = (required.scope if required else "") or str(ConsentKind(kind).label)
    consent = Consent(
        person=person,
        kind=kind,
        given_on=given_on,
        scope=scope,
        document=document.strip()[:200],
    )
    consent.full_clean()
    consent.save()
    return consent


@transaction.atomic
def consent_withdraw(
    *, consent: Consent, withdrawn_on: datetime.date, note: str = ""
) -> Consent:
    """Withdraw a consent; the record stays, so its history is visible."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_on is not None:
        raise ValidationError(
            CONSENT_ALREADY_WITHDRAWN,
            code="already_withdrawn",
            params={"day": day_text(consent.withdrawn_on)},
        )
    if withdrawn_on < consent.given_on:
        raise ValidationError({"withdrawn_on": WITHDRAWN_BEFORE_GIVEN})
    consent.withdrawn_on = withdrawn_on
    consent.withdrawal_note = note.strip()
    consent.full_clean()
    consent.save(update_fields=["withdrawn_on", "withdrawal_note"])
    return consent


@transaction.atomic
def network_member_add(
    *,
    person: Person,
    relation: str,
    name: str,
    supportive: bool = True,
    note: str = "",
) -> NetworkMember:
    """Add someone from the person's social network."""
    member = NetworkMember(
        person=person,
        relation=relation,
        name=name.strip(),
        supportive=supportive,
        note=note.strip(),
    )
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def network_contact_record(
    *,
    member: NetworkMember,
    contacted_on: datetime.date,
    kind: str,
    minutes: int | None = None,
    note: str = "",
) -> NetworkContact:
    """Log a visit or call from someone in the network."""
    contact = NetworkContact(
        member=member,
        contacted_on=contacted_on,
        kind=kind,
        minutes=minutes,
        note=note.strip(),
    )
    contact.full_clean()
    contact.save()
    return contact

"""Opening, editing and the shared checks of an intake case: the process
a case gets, opening one or a list of them, editing its details, and the
lock every other write on an open case takes.

Every refusal uses one of the message constants below, so the interface
and the tests show the same text.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from core.concurrency import ConcurrentEditError, versioned_save
from core.dates import day_text
from core.models import Person, Site, SiteStatus
from intake.models import (
    EntryRoute,
    IntakeCase,
    IntakeOutcome,
    IntakeProcessVersion,
)
from intake.selectors import case_changes_since
from partners.models import Organisation

NO_PROCESS = _("No intake process is registered for %(site)s on %(day)s.")
SITE_NOT_RECEIVING = _(
    "%(site)s does not take candidates on %(day)s (status: %(status)s)."
)
PERSON_OTHER_SITE = _("This person is registered at another site.")
OPEN_CASE_EXISTS = _("This person already has an open intake case at this site.")
ROUTE_NOT_IN_PROCESS = _("This entry route is not part of the site's intake process.")
REFERRER_OTHER_SITE = _("Choose a referring organisation of this site.")
CASE_WITHOUT_PROCESS = _(
    "This case has no intake process version; ask the functional administrator."
)
CASE_CLOSED = _("This intake case is closed; nothing can be added to it.")

# Site statuses in which candidates may enter an intake (selection runs ahead
# of the opening: Almelo selected before the first intake in February 2021).
RECEIVING_STATUSES = {SiteStatus.PLANNED, SiteStatus.OPEN}


def _site_status(site: Site, day: datetime.date) -> str:
    period = site.status_on(day)
    return period.status if period else ""


def _status_label(status: str) -> str:
    return str(SiteStatus(status).label) if status else "-"


def process_on(*, site: Site, day: datetime.date) -> IntakeProcessVersion | None:
    return (
        IntakeProcessVersion.objects.filter(site=site, valid_from__lte=day)
        .order_by("-valid_from")
        .first()
    )


def _case_context(
    *, site: Site, opened_on: datetime.date, entry_route: EntryRoute | None
) -> tuple[IntakeProcessVersion, EntryRoute | None]:
    """The process (and route within it) a case opened on ``opened_on`` gets."""
    status = _site_status(site, opened_on)
    if status not in RECEIVING_STATUSES:
        raise ValidationError(
            SITE_NOT_RECEIVING,
            code="site_not_receiving",
            params={
                "site": site.name,
                "day": day_text(opened_on),
                "status": _status_label(status),
            },
        )
    process = process_on(site=site, day=opened_on)
    if process is None:
        raise ValidationError(
            NO_PROCESS,
            code="no_process",
            params={"site": site.name, "day": day_text(opened_on)},
        )
    if entry_route is not None and entry_route.process_id != process.pk:
        # a route chosen under an older version maps onto the same code
        entry_route = process.entry_routes.filter(code=entry_route.code).first()
        if entry_route is None:
            raise ValidationError(ROUTE_NOT_IN_PROCESS, code="route_not_in_process")
    return process, entry_route


@transaction.atomic
def case_open(
    *,
    site: Site,
    person: Person,
    opened_on: datetime.date,
    entry_route: EntryRoute | None,
    created_by: AbstractBaseUser | None,
    referring_organisation: Organisation | None = None,
    referring_person: str = "",
    heard_via: str = "",
    report_date: datetime.date | None = None,
) -> IntakeCase:
    """Open an intake case under the process and criteria valid on ``opened_on``.

    Refused for a person of another site, a site that takes no candidates
    on that day (closed, frozen, not realised), or a person who already has
    an open case at the site.
    """
    if person.site_id != site.pk:
        raise ValidationError(PERSON_OTHER_SITE, code="person_other_site")
    process, entry_route = _case_context(
        site=site, opened_on=opened_on, entry_route=entry_route
    )
    _check_referrer(site, referring_organisation)
    if IntakeCase.objects.filter(
        site=site, person=person, outcome=IntakeOutcome.OPEN
    ).exists():
        raise ValidationError(OPEN_CASE_EXISTS, code="open_case_exists")
    case = IntakeCase(
        site=site,
        person=person,
        opened_on=opened_on,
        process=process,
        criteria_version=site.criteria_version_on(opened_on),
        entry_route=entry_route,
        referring_organisation=referring_organisation,
        referring_person=referring_person.strip(),
        heard_via=heard_via,
        report_date=report_date,
        created_by=created_by if created_by is not None and created_by.pk else None,
    )
    case.full_clean()
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError as exc:
        raise ValidationError(OPEN_CASE_EXISTS, code="open_case_exists") from exc
    return case


def _check_referrer(site: Site, organisation: Organisation | None) -> None:
    if organisation is None:
        return
    if not Organisation.objects.for_site(site).filter(pk=organisation.pk).exists():
        raise ValidationError({"referring_organisation": REFERRER_OTHER_SITE})


@transaction.atomic
def cases_open_from_list(
    *,
    site: Site,
    entries: list[tuple[Person, datetime.date | None]],
    opened_on: datetime.date,
    entry_route: EntryRoute,
    created_by: AbstractBaseUser,
    import_batch: object,
) -> list[IntakeCase]:
    """Open one case per (person, report date) of an imported list, at once.

    The rules of ``case_open`` are checked once for the list date; the rows
    themselves were checked by the importer, and the one-open-case rule is
    also a database constraint, so a race ends in a refusal, not a double.
    """
    process, entry_route = _case_context(
        site=site, opened_on=opened_on, entry_route=entry_route
    )
    criteria_version = site.criteria_version_on(opened_on)
    # What is the same for every case is checked once: the opening date by
    # the field's own rules. A report date is checked per row by the
    # importer; the range CHECK of the column refuses anything else.
    IntakeCase._meta.get_field("opened_on").clean(opened_on, None)
    cases = []
    for person, report_date in entries:
        if person.site_id != site.pk:
            raise ValidationError(PERSON_OTHER_SITE, code="person_other_site")
        # ids rather than objects: thousands of cases are built at once
        cases.append(
            IntakeCase(
                site_id=site.pk,
                person_id=person.pk,
                opened_on=opened_on,
                process_id=process.pk,
                criteria_version_id=criteria_version.pk if criteria_version else None,
                entry_route_id=entry_route.pk if entry_route else None,
                report_date=report_date,
                created_by_id=created_by.pk if created_by is not None else None,
                import_batch_id=getattr(import_batch, "pk", None),
            )
        )
    try:
        with transaction.atomic():
            return bulk_create_with_history(
                cases, IntakeCase, batch_size=2000, default_user=created_by
            )
    except IntegrityError as exc:
        raise ValidationError(OPEN_CASE_EXISTS, code="open_case_exists") from exc


CASE_EDITABLE_FIELDS = (
    "entry_route",
    "referring_organisation",
    "referring_person",
    "heard_via",
    "report_date",
)


@transaction.atomic
def case_update(
    *,
    case: IntakeCase,
    data: dict[str, object],
    actor: AbstractBaseUser | None,
    expected_version: int | None = None,
) -> IntakeCase:
    """Correct how a candidate entered (route, referrer, report date).

    Refused with ``ConcurrentEditError`` when the case changed since the
    form was opened at ``expected_version`` (unless the stored values are
    already exactly what was submitted).
    """
    case = _lock_open_case(case, touch=False)
    stale = expected_version is not None and case.version != expected_version
    for field in CASE_EDITABLE_FIELDS:
        if field in data:
            value = data[field]
            setattr(case, field, value.strip() if isinstance(value, str) else value)
    if case.entry_route is not None and case.entry_route.process_id != case.process_id:
        raise ValidationError(ROUTE_NOT_IN_PROCESS, code="route_not_in_process")
    _check_referrer(case.site, case.referring_organisation)
    case.full_clean()
    if stale:
        stored = IntakeCase.objects.get(pk=case.pk)
        if all(
            getattr(stored, IntakeCase._meta.get_field(f).attname)
            == getattr(case, IntakeCase._meta.get_field(f).attname)
            for f in CASE_EDITABLE_FIELDS
        ):
            return stored  # exactly what was submitted is stored: nothing to do
        _refuse_stale(stored, expected_version, submitted=case)
    return versioned_save(
        instance=case, fields=CASE_EDITABLE_FIELDS, expected_version=case.version
    )


def _refuse_stale(
    case: IntakeCase, expected_version: int, submitted: IntakeCase | None = None
) -> None:
    raise ConcurrentEditError(
        stored_version=case.version,
        changes=case_changes_since(
            case=case, version=expected_version, submitted=submitted
        ),
        current=case,
    )


def _lock_open_case(
    case: IntakeCase, expected_version: int | None = None, *, touch: bool = True
) -> IntakeCase:
    """The case, locked for this transaction, if it is open and has a process.

    With ``expected_version`` (the version the user's page showed) a case
    saved by someone else since is refused with ``ConcurrentEditError``.
    ``touch`` bumps the version now, so anything recorded on the case makes
    pages opened before it stale; the bump is a history row, which dates the
    change for the conflict display.
    """
    locked = IntakeCase.objects.select_for_update().get(pk=case.pk)
    if not locked.is_open:
        raise ValidationError(CASE_CLOSED, code="case_closed")
    if locked.process_id is None:
        raise ValidationError(CASE_WITHOUT_PROCESS, code="no_process")
    if expected_version is not None and locked.version != expected_version:
        _refuse_stale(locked, expected_version)
    if touch:
        locked.version += 1
        locked.save(update_fields=["version"])
    return locked

"""Writes for intake cases. Typed, keyword-only, atomic, audited.

Every refusal uses one of the message constants below, so the interface
and the tests show the same text.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from core.concurrency import ConcurrentEditError, versioned_save
from core.dates import day_text
from core.models import Criterion, Person, PlaceType, Site, SiteStatus
from intake.models import (
    CaseDocument,
    CaseEndReason,
    CheckResult,
    CriterionCheck,
    EndReasonCode,
    EntryRoute,
    IntakeCase,
    IntakeOutcome,
    IntakeProcessVersion,
    IntakeStageDefinition,
    PrescanAnswer,
    StageEvent,
    StageKind,
    StageOutcome,
)
from intake.selectors import case_changes_since
from intake.signals import case_placed
from partners.models import Organisation
from partners.selectors import consents_missing_for_placement
from partners.services import consent_from_intake, performing_organisation_check

NO_PROCESS = _("No intake process is registered for %(site)s on %(day)s.")
SITE_NOT_RECEIVING = _(
    "%(site)s does not take candidates on %(day)s (status: %(status)s)."
)
SITE_NOT_OPEN_FOR_PLACEMENT = _(
    "%(site)s is not open for placements on %(day)s (status: %(status)s)."
)
PERSON_OTHER_SITE = _("This person is registered at another site.")
OPEN_CASE_EXISTS = _("This person already has an open intake case at this site.")
ROUTE_NOT_IN_PROCESS = _("This entry route is not part of the site's intake process.")
REFERRER_OTHER_SITE = _("Choose a referring organisation of this site.")
CASE_WITHOUT_PROCESS = _(
    "This case has no intake process version; ask the functional administrator."
)
CASE_CLOSED = _("This intake case is closed; nothing can be added to it.")
STAGE_NOT_IN_PROCESS = _("This stage is not part of the case's intake process.")
STAGE_ALREADY_RECORDED = _("This stage has already been recorded for this case.")
OUTCOME_NOT_ALLOWED = _("Outcome %(outcome)s is not possible for stage %(stage)s.")
PREREQUISITES_MISSING = _(
    "Stage %(stage)s cannot be recorded before these stages are passed: %(missing)s."
)
DATE_BEFORE_OPENED = _("The date lies before the case was opened (%(opened)s).")
DATE_BEFORE_PREREQUISITE = _(
    "The date lies before the preceding stage %(stage)s (%(day)s)."
)
DECISION_NEEDS_PLACEMENT = _(
    "A positive placement decision is recorded with the placement form, which "
    "also creates the stay."
)
PRESCAN_VIA_ANSWERS = _(
    "The pre-scan outcome follows from the partners' answers; record those instead."
)
PRESCAN_NOT_IN_STAGE = _("%(partner)s is not a partner in this pre-scan.")
PRESCAN_ALREADY_ANSWERED = _("%(partner)s has already answered this pre-scan.")
NO_PRESCAN_STAGE = _("The case's intake process has no pre-scan.")
CRITERION_OTHER_VERSION = _(
    "This criterion is not part of the criteria version of this case."
)
EXCEPTION_NEEDS_REASON = _("Give the reason for granting the exception.")
CRITERIA_NOT_MET = _(
    "The case cannot be placed: criteria not met without an exception: %(criteria)s."
)
CRITERIA_NOT_ANSWERED = _(
    "The case cannot be placed: %(count)s criteria are not answered on the "
    "checklist: %(criteria)s."
)
HARD_CRITERIA_NOT_MET = _(
    "The case cannot be placed: hard criteria not met (no exception is "
    "possible): %(criteria)s."
)
HARD_CRITERION_NO_EXCEPTION = _(
    "%(criterion)s is a hard criterion: no exception is possible."
)
CONSENTS_MISSING = _(
    "The case cannot be placed: %(site)s requires this consent before "
    "placement: %(consents)s. Register the consent statement with the intake "
    "or the consent under Partners."
)
NEGATIVE_STAGE_BLOCKS_PLACEMENT = _(
    "The case cannot be placed after a negative outcome at: %(stages)s. "
    "End the case with a reason instead."
)
PLACE_TYPE_OTHER_SITE = _("This place type belongs to another site.")
PERSON_ALREADY_PLACED = _(
    "%(person)s is placed since %(day)s. Register the outflow of that stay, or "
    "change its phase or place type, before a new placement."
)
DOCUMENT_NOT_IN_STAGE = _("Stage %(stage)s does not produce this document.")
END_NOT_ALLOWED = _("Use the placement form to place a candidate.")
HAND_BACK_NOT_IN_PROCESS = _(
    "This site's intake process has no hand-back; choose another end."
)
REJECTION_NEEDS_REASON = _("Give at least one reason for the rejection.")
REASON_NEEDS_CRITERION = _("Name the criterion that is not met.")
REASON_NEEDS_PARTNER = _("Name the pre-scan partner that objected.")
CLOSED_BEFORE_OPENED = _("The end date lies before the case was opened.")

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


def _check_stage(
    case: IntakeCase, stage: IntakeStageDefinition, occurred_on: datetime.date
) -> None:
    if stage.process_id != case.process_id:
        raise ValidationError(STAGE_NOT_IN_PROCESS, code="stage_not_in_process")
    events = {event.stage.code: event for event in case.events.select_related("stage")}
    if stage.code in events:
        raise ValidationError(STAGE_ALREADY_RECORDED, code="stage_recorded")
    if occurred_on < case.opened_on:
        raise ValidationError(
            DATE_BEFORE_OPENED,
            code="before_opened",
            params={"opened": day_text(case.opened_on)},
        )
    missing = [
        code for code in stage.requires if code not in events or not events[code].passed
    ]
    if missing:
        names = dict(case.process.stages.values_list("code", "name"))
        raise ValidationError(
            PREREQUISITES_MISSING,
            code="prerequisites_missing",
            params={
                "stage": stage.name,
                "missing": "; ".join(names.get(code, code) for code in missing),
            },
        )
    for code in stage.requires:
        if occurred_on < events[code].occurred_on:
            raise ValidationError(
                DATE_BEFORE_PREREQUISITE,
                code="before_prerequisite",
                params={
                    "stage": events[code].stage.name,
                    "day": day_text(events[code].occurred_on),
                },
            )


def _event_save(
    *,
    case: IntakeCase,
    stage: IntakeStageDefinition,
    occurred_on: datetime.date,
    outcome: str,
    actor: AbstractBaseUser | None,
    performing_organisation: Organisation | None = None,
) -> StageEvent:
    _check_stage(case, stage, occurred_on)
    performing_organisation = performing_organisation or stage.performer
    performing_organisation_check(
        organisation=performing_organisation,
        site=case.site,
        field="performing_organisation",
    )
    if outcome not in stage.outcomes:
        raise ValidationError(
            OUTCOME_NOT_ALLOWED,
            code="outcome_not_allowed",
            params={"outcome": StageOutcome(outcome).label, "stage": stage.name},
        )
    event = StageEvent(
        case=case,
        stage=stage,
        occurred_on=occurred_on,
        outcome=outcome,
        agreed_organisation=stage.performer,
        performing_organisation=performing_organisation,
        actor=actor if actor is not None and actor.pk else None,
    )
    event.full_clean()
    event.save()
    if stage.consent_kind and outcome == StageOutcome.POSITIVE:
        consent_from_intake(
            person=case.person,
            kind=stage.consent_kind,
            given_on=occurred_on,
            document=f"{stage.name} (intake #{case.pk})",
        )
    return event


@transaction.atomic
def stage_event_record(
    *,
    case: IntakeCase,
    stage: IntakeStageDefinition,
    occurred_on: datetime.date,
    outcome: str,
    actor: AbstractBaseUser | None,
    expected_version: int | None = None,
    performing_organisation: Organisation | None = None,
) -> StageEvent:
    """Record that a case passed (or failed) a stage of its process.

    The organisation that did the work is the stage's agreed one unless
    ``performing_organisation`` names another party of the site. Refused on
    a closed case, for a stage of another process version, twice for the
    same stage, or before the stages it requires are passed.
    """
    case = _lock_open_case(case, expected_version)
    if stage.kind == StageKind.PRESCAN:
        raise ValidationError(PRESCAN_VIA_ANSWERS, code="prescan_via_answers")
    if stage.kind == StageKind.DECISION and outcome == StageOutcome.POSITIVE:
        raise ValidationError(DECISION_NEEDS_PLACEMENT, code="decision_via_placement")
    return _event_save(
        case=case,
        stage=stage,
        occurred_on=occurred_on,
        outcome=outcome,
        actor=actor,
        performing_organisation=performing_organisation,
    )


@transaction.atomic
def prescan_answer_record(
    *,
    case: IntakeCase,
    partner: str,
    asked_on: datetime.date,
    answered_on: datetime.date,
    objection: bool,
    actor: AbstractBaseUser | None,
    expected_version: int | None = None,
    performing_organisation: Organisation | None = None,
) -> PrescanAnswer:
    """Register one partner's pre-scan answer: objection yes or no, nothing else.

    The answering organisation is the one the stage agrees for the partner
    (``prescan_performers``) unless ``performing_organisation`` names
    another party of the site.

    When the last partner has answered, the pre-scan stage is recorded:
    negative if anyone objected.
    """
    case = _lock_open_case(case, expected_version)
    stage = case.process.stages.filter(kind=StageKind.PRESCAN).first()
    if stage is None:
        raise ValidationError(NO_PRESCAN_STAGE, code="no_prescan")
    label = dict(PrescanAnswer._meta.get_field("partner").choices).get(partner, partner)
    if partner not in stage.prescan_partners:
        raise ValidationError(
            PRESCAN_NOT_IN_STAGE, code="prescan_partner", params={"partner": label}
        )
    if case.prescan_answers.filter(partner=partner).exists():
        raise ValidationError(
            PRESCAN_ALREADY_ANSWERED, code="prescan_answered", params={"partner": label}
        )
    if not case.events.filter(stage=stage).exists():
        _check_stage(case, stage, answered_on)
    agreed = prescan_agreed_organisation(stage=stage, partner=partner)
    performing_organisation = performing_organisation or agreed
    performing_organisation_check(
        organisation=performing_organisation,
        site=case.site,
        field="performing_organisation",
    )
    answer = PrescanAnswer(
        case=case,
        partner=partner,
        asked_on=asked_on,
        answered_on=answered_on,
        objection=objection,
        agreed_organisation=agreed,
        performing_organisation=performing_organisation,
        actor=actor if actor is not None and actor.pk else None,
    )
    answer.full_clean()
    answer.save()
    answers = list(case.prescan_answers.all())
    if {a.partner for a in answers} >= set(stage.prescan_partners):
        _event_save(
            case=case,
            stage=stage,
            occurred_on=max(a.answered_on for a in answers),
            outcome=StageOutcome.NEGATIVE
            if any(a.objection for a in answers)
            else StageOutcome.POSITIVE,
            actor=actor,
        )
    return answer


def prescan_agreed_organisation(
    *, stage: IntakeStageDefinition, partner: str
) -> Organisation | None:
    """The organisation a pre-scan stage agrees answers for ``partner``."""
    name = stage.prescan_performers.get(partner)
    return Organisation.objects.filter(name=name).first() if name else None


@transaction.atomic
def stage_event_performer_change(
    *, event: StageEvent, organisation: Organisation
) -> StageEvent:
    """Record afterwards that another party of the site did a stage's work."""
    performing_organisation_check(
        organisation=organisation,
        site=event.case.site,
        field="performing_organisation",
    )
    event.performing_organisation = organisation
    event.save(update_fields=["performing_organisation"])
    return event


@transaction.atomic
def criterion_check_record(
    *,
    case: IntakeCase,
    criterion: Criterion,
    result: str,
    checked_on: datetime.date,
    actor: AbstractBaseUser | None,
    exception_reason: str = "",
    expected_version: int | None = None,
) -> CriterionCheck:
    """Set one line of the criteria checklist (replacing an earlier answer)."""
    case = _lock_open_case(case, expected_version)
    return _criterion_check_save(
        case=case,
        criterion=criterion,
        result=result,
        checked_on=checked_on,
        actor=actor,
        exception_reason=exception_reason,
    )


def _criterion_check_save(
    *,
    case: IntakeCase,
    criterion: Criterion,
    result: str,
    checked_on: datetime.date,
    actor: AbstractBaseUser | None,
    exception_reason: str,
) -> CriterionCheck:
    if criterion.version_id != case.criteria_version_id:
        raise ValidationError(CRITERION_OTHER_VERSION, code="criterion_other_version")
    if result == CheckResult.EXCEPTION and criterion.hard:
        raise ValidationError(
            HARD_CRITERION_NO_EXCEPTION,
            code="hard_criterion_exception",
            params={"criterion": criterion_label(criterion)},
        )
    if result == CheckResult.EXCEPTION and not exception_reason.strip():
        raise ValidationError(
            {"exception_reason": EXCEPTION_NEEDS_REASON}, code="exception_reason"
        )
    check, _created = CriterionCheck.objects.update_or_create(
        case=case,
        criterion=criterion,
        defaults={
            "result": result,
            "exception_reason": exception_reason.strip()
            if result == CheckResult.EXCEPTION
            else "",
            "checked_on": checked_on,
            "actor": actor if actor is not None and actor.pk else None,
        },
    )
    check.full_clean()
    return check


@transaction.atomic
def criteria_checklist_record(
    *,
    case: IntakeCase,
    answers: list[tuple[Criterion, str, str]],
    checked_on: datetime.date,
    actor: AbstractBaseUser | None,
    expected_version: int | None = None,
) -> list[CriterionCheck]:
    """Save the filled-in lines of the checklist; unchanged lines are left alone.

    A checklist that changes nothing is accepted even from a page opened
    before someone else's change; otherwise a stale page is refused.
    """
    existing = {check.criterion_id: check for check in case.criterion_checks.all()}
    changed = []
    for criterion, result, reason in answers:
        before = existing.get(criterion.pk)
        reason = reason.strip() if result == CheckResult.EXCEPTION else ""
        if before and (before.result, before.exception_reason) == (result, reason):
            continue
        changed.append((criterion, result, reason))
    if not changed:
        return []
    case = _lock_open_case(case, expected_version)
    saved = []
    for criterion, result, reason in changed:
        saved.append(
            _criterion_check_save(
                case=case,
                criterion=criterion,
                result=result,
                exception_reason=reason,
                checked_on=checked_on,
                actor=actor,
            )
        )
    return saved


@transaction.atomic
def document_record(
    *,
    case: IntakeCase,
    stage: IntakeStageDefinition,
    document_code: str,
    received_on: datetime.date,
    actor: AbstractBaseUser | None,
    expected_version: int | None = None,
) -> CaseDocument:
    """Register that a document or advice of a stage was received.

    A consent statement (a document the process marks with a consent kind)
    records the person's consent under Partners at the same time, once.
    """
    case = _lock_open_case(case, expected_version)
    if stage.process_id != case.process_id:
        raise ValidationError(STAGE_NOT_IN_PROCESS, code="stage_not_in_process")
    if document_code not in {d["code"] for d in stage.documents}:
        raise ValidationError(
            DOCUMENT_NOT_IN_STAGE,
            code="document_not_in_stage",
            params={"stage": stage.name},
        )
    document = CaseDocument(
        case=case,
        stage=stage,
        document_code=document_code,
        received_on=received_on,
        actor=actor if actor is not None and actor.pk else None,
    )
    document.full_clean()
    document.save()
    consent_kind = stage.document_consent(document_code)
    if consent_kind:
        consent_from_intake(
            person=case.person,
            kind=consent_kind,
            given_on=received_on,
            document=f"{stage.document_name(document_code)} (intake #{case.pk})",
        )
    return document


@transaction.atomic
def case_place(
    *,
    case: IntakeCase,
    decided_on: datetime.date,
    place_type: PlaceType,
    placed_on: datetime.date,
    actor: AbstractBaseUser | None,
    capacity_override_reason: str = "",
    expected_version: int | None = None,
) -> Any:
    """Record the positive placement decision and create the stay with it.

    Refused when the stages before the decision are not passed, the site is
    not open on the placement date, anything of ``placement_problems`` holds
    (each named in the refusal), or the place type is full (unless overridden
    with a reason; the capacity check is trajectories' ``stay_create``, run by
    its receiver of ``intake.signals.case_placed``). Returns the stay.
    """
    case = _lock_open_case(case, expected_version, touch=False)
    if place_type.site_id != case.site_id:
        raise ValidationError(PLACE_TYPE_OTHER_SITE, code="place_type_other_site")
    status = _site_status(case.site, placed_on)
    if status != SiteStatus.OPEN:
        raise ValidationError(
            SITE_NOT_OPEN_FOR_PLACEMENT,
            code="site_not_open",
            params={
                "site": case.site.name,
                "day": day_text(placed_on),
                "status": _status_label(status),
            },
        )
    problems = placement_problems(case=case, placed_on=placed_on)
    if problems:
        # One problem keeps its own code; several are refused together, so
        # the user sees everything that is missing at once.
        raise problems[0] if len(problems) == 1 else ValidationError(problems)
    decision = case.process.stages.get(kind=StageKind.DECISION)
    _event_save(
        case=case,
        stage=decision,
        occurred_on=decided_on,
        outcome=StageOutcome.POSITIVE,
        actor=actor,
    )
    # The stay is trajectories' (above intake): its receiver creates it here,
    # in this transaction; its refusals (capacity, overlap) refuse the placement.
    responses = case_placed.send(
        sender=IntakeCase,
        case=case,
        place_type=place_type,
        placed_on=placed_on,
        actor=actor,
        capacity_override_reason=capacity_override_reason,
    )
    stay = next((made for _receiver, made in responses if made is not None), None)
    case.outcome = IntakeOutcome.PLACED
    case.closed_on = max(decided_on, case.opened_on)
    case.version += 1
    case.full_clean()
    case.save(update_fields=["outcome", "closed_on", "version"])
    return stay


def criterion_label(criterion: Criterion) -> str:
    """How a refusal names a criterion, as the checklist shows it: its kind
    and the start of its text (the code is for the reference data only)."""
    kind = capfirst(criterion.get_kind_display())
    return f"{kind}: {Truncator(criterion.text).words(6)}"


def placement_problems(
    *, case: IntakeCase, placed_on: datetime.date
) -> list[ValidationError]:
    """Everything that rules out placing ``case`` on ``placed_on``.

    The whole rule set of the case's criteria version and site: every
    criterion answered, hard criteria met (an exception counts only for the
    others), the consents the site requires before placement given, and no
    stage with a negative outcome. Optional stages (a victim's consent, a
    waiting list) are no prerequisite of the decision, but a negative outcome
    there still rules a placement out. Four queries.
    """
    problems = []
    criteria = (
        list(case.criteria_version.criteria.all()) if case.criteria_version else []
    )
    results = dict(case.criterion_checks.values_list("criterion_id", "result"))
    unanswered = [c for c in criteria if c.pk not in results]
    if unanswered:
        problems.append(
            ValidationError(
                CRITERIA_NOT_ANSWERED,
                code="criteria_not_answered",
                params={
                    "count": len(unanswered),
                    "criteria": "; ".join(map(criterion_label, unanswered)),
                },
            )
        )
    hard_failed = [
        c
        for c in criteria
        if c.hard and results.get(c.pk) in (CheckResult.NOT_MET, CheckResult.EXCEPTION)
    ]
    if hard_failed:
        problems.append(
            ValidationError(
                HARD_CRITERIA_NOT_MET,
                code="hard_criteria_not_met",
                params={"criteria": "; ".join(map(criterion_label, hard_failed))},
            )
        )
    soft_failed = [
        c for c in criteria if not c.hard and results.get(c.pk) == CheckResult.NOT_MET
    ]
    if soft_failed:
        problems.append(
            ValidationError(
                CRITERIA_NOT_MET,
                code="criteria_not_met",
                params={"criteria": "; ".join(map(criterion_label, soft_failed))},
            )
        )
    missing = consents_missing_for_placement(person=case.person, day=placed_on)
    if missing:
        problems.append(
            ValidationError(
                CONSENTS_MISSING,
                code="consent_missing",
                params={
                    "site": case.site.name,
                    "consents": "; ".join(str(r.get_kind_display()) for r in missing),
                },
            )
        )
    negative = list(
        case.events.filter(outcome=StageOutcome.NEGATIVE)
        .order_by("occurred_on")
        .values_list("stage__name", flat=True)
    )
    if negative:
        problems.append(
            ValidationError(
                NEGATIVE_STAGE_BLOCKS_PLACEMENT,
                code="negative_stage",
                params={"stages": "; ".join(negative)},
            )
        )
    return problems


def consents_from_intake_backfill() -> int:
    """Record the consents of consent statements and positive consent steps
    registered before the intake recorded them itself (run once after
    ``load_reference``; safe to run again). Returns how many were recorded."""
    consent_stages = IntakeStageDefinition.objects.exclude(consent_kind="")
    events = (
        StageEvent.objects.filter(
            stage__in=consent_stages, outcome=StageOutcome.POSITIVE
        )
        .select_related("case__person", "stage")
        .order_by("occurred_on", "pk")
    )
    documents = CaseDocument.objects.select_related("case__person", "stage").order_by(
        "received_on", "pk"
    )
    found: list[tuple[datetime.date, Person, str, str]] = [
        (
            event.occurred_on,
            event.case.person,
            event.stage.consent_kind,
            f"{event.stage.name} (intake #{event.case_id})",
        )
        for event in events
    ]
    for document in documents:
        kind = document.stage.document_consent(document.document_code)
        if kind:
            name = document.stage.document_name(document.document_code)
            found.append(
                (
                    document.received_on,
                    document.case.person,
                    kind,
                    f"{name} (intake #{document.case_id})",
                )
            )
    recorded = 0
    for given_on, person, kind, text in sorted(found, key=lambda row: row[0]):
        with transaction.atomic():
            before = person.consents.count()
            consent_from_intake(
                person=person, kind=kind, given_on=given_on, document=text
            )
            recorded += person.consents.count() - before
    return recorded


@dataclass(frozen=True)
class EndReasonInput:
    code: str
    criterion: Criterion | None = None
    prescan_partner: str = ""
    stage: IntakeStageDefinition | None = None


@transaction.atomic
def case_close(
    *,
    case: IntakeCase,
    outcome: str,
    closed_on: datetime.date,
    actor: AbstractBaseUser | None,
    reasons: list[EndReasonInput] | None = None,
    expected_version: int | None = None,
) -> IntakeCase:
    """End a case without placement, with coded reasons."""
    case = _lock_open_case(case, expected_version, touch=False)
    reasons = reasons or []
    if outcome in (IntakeOutcome.OPEN, IntakeOutcome.PLACED):
        raise ValidationError(END_NOT_ALLOWED, code="end_not_allowed")
    if outcome == IntakeOutcome.HANDED_BACK and not case.process.hand_back_to:
        raise ValidationError(HAND_BACK_NOT_IN_PROCESS, code="no_hand_back")
    if outcome == IntakeOutcome.REJECTED and not reasons:
        raise ValidationError(REJECTION_NEEDS_REASON, code="rejection_reason")
    if closed_on < case.opened_on:
        raise ValidationError(CLOSED_BEFORE_OPENED, code="closed_before_opened")
    for reason in reasons:
        if reason.code == EndReasonCode.CRITERION_NOT_MET and (
            reason.criterion is None
            or reason.criterion.version_id != case.criteria_version_id
        ):
            raise ValidationError(REASON_NEEDS_CRITERION, code="reason_criterion")
        if (
            reason.code == EndReasonCode.PRESCAN_OBJECTION
            and not reason.prescan_partner
        ):
            raise ValidationError(REASON_NEEDS_PARTNER, code="reason_partner")
        if reason.stage is not None and reason.stage.process_id != case.process_id:
            raise ValidationError(STAGE_NOT_IN_PROCESS, code="stage_not_in_process")
        end_reason = CaseEndReason(
            case=case,
            code=reason.code,
            criterion=reason.criterion
            if reason.code == EndReasonCode.CRITERION_NOT_MET
            else None,
            prescan_partner=reason.prescan_partner
            if reason.code == EndReasonCode.PRESCAN_OBJECTION
            else "",
            stage=reason.stage,
        )
        end_reason.full_clean()
        end_reason.save()
    case.outcome = outcome
    case.closed_on = closed_on
    case.version += 1
    case.full_clean()
    case.save(update_fields=["outcome", "closed_on", "version"])
    return case

"""Recording the stages of an intake case: stage events (with their
checks of prerequisites, dates and outcomes), the organisation that
performed a stage, the documents a stage produces, and the consents an
intake stage records.
"""

from __future__ import annotations

import datetime
import logging

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from core.dates import day_text
from core.models import AuditKind, Person
from core.services import audit_event_record
from intake.models import (
    CaseDocument,
    IntakeCase,
    IntakeStageDefinition,
    StageEvent,
    StageKind,
    StageOutcome,
    refresh_stage_reach,
)
from intake.selectors.reach import stage_reach_drift
from intake.services.cases import _lock_open_case
from partners.models import Organisation
from partners.services import consent_from_intake, performing_organisation_check

logger = logging.getLogger(__name__)

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
DOCUMENT_NOT_IN_STAGE = _("Stage %(stage)s does not produce this document.")


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


STAGE_REACH_REPAIRED = gettext_noop(
    "The stage reach of %(count)s intake cases differed from a recount of "
    "their stage events and was recounted"
)
#: at most this many repaired cases are named in the audit log's details
REPAIRS_LISTED = 100


def stage_reach_repair() -> int:
    """Nightly: recount the stage reach of every case whose stored summary
    differs from its stage events, and say so in the audit log.

    The services and the stage-event writes keep ``CaseStageReach`` exact;
    this catches a write around them (a bulk update, raw SQL, a restored
    table). Returns how many cases were recounted."""
    ids = [case_id for case_id, _stored, _counted in stage_reach_drift()]
    if not ids:
        return 0
    with transaction.atomic():
        # again, for those cases only: a write that committed between the
        # two reads of the full check is no drift
        again = stage_reach_drift(IntakeCase.objects.filter(pk__in=ids))
        ids = [case_id for case_id, _stored, _counted in again]
        if not ids:
            return 0
        refresh_stage_reach(ids)
        audit_event_record(
            actor=None,
            kind=AuditKind.DATA_CHECK,
            summary=STAGE_REACH_REPAIRED,
            params={"count": len(ids)},
            details={"cases": ids[:REPAIRS_LISTED]},
        )
    logger.warning("stage reach of %s intake cases recounted", len(ids))
    return len(ids)

"""Ending an intake case without a placement: its outcome, the reasons
for a rejection and the hand-back of a candidate.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.models import Criterion
from intake.models import (
    CaseEndReason,
    EndReasonCode,
    IntakeCase,
    IntakeOutcome,
    IntakeStageDefinition,
)
from intake.services.cases import _lock_open_case
from intake.services.stages import STAGE_NOT_IN_PROCESS

END_NOT_ALLOWED = _("Use the placement form to place a candidate.")
HAND_BACK_NOT_IN_PROCESS = _(
    "This site's intake process has no hand-back; choose another end."
)
REJECTION_NEEDS_REASON = _("Give at least one reason for the rejection.")
REASON_NEEDS_CRITERION = _("Name the criterion that is not met.")
REASON_NEEDS_PARTNER = _("Name the pre-scan partner that objected.")
CLOSED_BEFORE_OPENED = _("The end date lies before the case was opened.")


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

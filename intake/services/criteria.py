"""The admission criteria of an intake case: one check, the whole
checklist at once, and exceptions with their reasons.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext_lazy as _

from core.models import Criterion
from intake.models import (
    CheckResult,
    CriterionCheck,
    IntakeCase,
)
from intake.services.cases import _lock_open_case

CRITERION_OTHER_VERSION = _(
    "This criterion is not part of the criteria version of this case."
)
EXCEPTION_NEEDS_REASON = _("Give the reason for granting the exception.")
HARD_CRITERION_NO_EXCEPTION = _(
    "%(criterion)s is a hard criterion: no exception is possible."
)


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


def criterion_label(criterion: Criterion) -> str:
    """How a refusal names a criterion, as the checklist shows it: its kind
    and the start of its text (the code is for the reference data only)."""
    kind = capfirst(criterion.get_kind_display())
    return f"{kind}: {Truncator(criterion.text).words(6)}"

"""Placing a candidate: what stands in the way of a placement (criteria,
consents, negative stages) and the placement itself, which announces
``case_placed`` so the stay is made where stays live.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.dates import day_text
from core.models import PlaceType, SiteStatus
from intake.models import (
    CheckResult,
    IntakeCase,
    IntakeOutcome,
    StageKind,
    StageOutcome,
)
from intake.services.cases import _lock_open_case, _site_status, _status_label
from intake.services.criteria import criterion_label
from intake.services.stages import _event_save
from intake.signals import case_placed
from partners.selectors import consents_missing_for_placement

SITE_NOT_OPEN_FOR_PLACEMENT = _(
    "%(site)s is not open for placements on %(day)s (status: %(status)s)."
)
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

"""Writes for the individual plan, its goals, activities and reviews."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.concurrency import versioned_save
from partners.services import performing_organisation_check
from trajectories.models import (
    ACTIVITY_REASON_REQUIRED,
    CONFIGURABLE_PLAN_FIELDS,
    Activity,
    ActivityStatus,
    Goal,
    GoalDomain,
    IndividualPlan,
    PlanFormDefinition,
    Review,
    Stay,
)

__all__ = ["ACTIVITY_REASON_REQUIRED"]

PLAN_FIELD_REQUIRED = _("%(site)s requires this for the %(plan)s.")
PLAN_EXISTS = _("This stay already has a plan; change that plan instead.")
NO_PLAN_FORM = _("No plan form is defined for this site yet.")
DOMAIN_NOT_FOR_SITE = _("This life area is not part of the plan at this site.")

PLAN_COMMON_FIELDS = ("name", "drawn_up_on", "notes")
PLAN_EDITABLE_FIELDS = (*PLAN_COMMON_FIELDS, *CONFIGURABLE_PLAN_FIELDS)


def plan_form_for(stay: Stay) -> PlanFormDefinition:
    try:
        return PlanFormDefinition.objects.prefetch_related("domains").get(
            site_id=stay.site_id
        )
    except PlanFormDefinition.DoesNotExist as exc:
        raise ValidationError(NO_PLAN_FORM, code="no_plan_form") from exc


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _check_required(plan: IndividualPlan, definition: PlanFormDefinition) -> None:
    """The site's definition decides which configurable fields are required."""
    errors = {}
    for spec in definition.field_specs():
        if spec.get("required") and _is_empty(getattr(plan, spec["name"])):
            errors[spec["name"]] = ValidationError(
                PLAN_FIELD_REQUIRED,
                code="required",
                params={"site": definition.site.name, "plan": definition.plan_name},
            )
    if errors:
        raise ValidationError(errors)


def _apply(plan: IndividualPlan, definition: PlanFormDefinition, data: dict) -> None:
    shown = {spec["name"] for spec in definition.field_specs()}
    for name in PLAN_COMMON_FIELDS:
        if name in data:
            setattr(plan, name, data[name])
    for name in shown:
        if name in data:
            value = data[name]
            setattr(plan, name, value.strip() if isinstance(value, str) else value)
    if not plan.name:
        plan.name = definition.plan_name
    # Where the site's detainee writes the plan himself that is the default,
    # unless the site asks the casemanager to answer it explicitly.
    required = {s["name"] for s in definition.field_specs() if s.get("required")}
    if (
        definition.written_by_detainee
        and plan.written_by_detainee is None
        and "written_by_detainee" not in required
    ):
        plan.written_by_detainee = True


@transaction.atomic
def plan_create(*, stay: Stay, data: dict[str, Any]) -> IndividualPlan:
    """Draw up the plan of a stay in the site's own form."""
    definition = plan_form_for(stay)
    if IndividualPlan.objects.filter(stay=stay).exists():
        raise ValidationError(PLAN_EXISTS, code="plan_exists")
    plan = IndividualPlan(stay=stay, drawn_up_on=data.get("drawn_up_on"))
    _apply(plan, definition, data)
    plan.full_clean()
    _check_required(plan, definition)
    plan.save()
    return plan


@transaction.atomic
def plan_update(
    *,
    plan: IndividualPlan,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> IndividualPlan:
    """Change the plan; each save is a new version in its history."""
    definition = plan_form_for(plan.stay)
    _apply(plan, definition, data)
    plan.full_clean()
    _check_required(plan, definition)
    return versioned_save(
        instance=plan, fields=PLAN_EDITABLE_FIELDS, expected_version=expected_version
    )


def _check_domain(plan: IndividualPlan, domain: GoalDomain) -> None:
    definition = plan_form_for(plan.stay)
    if not definition.domains.filter(pk=domain.pk).exists():
        raise ValidationError({"domain": DOMAIN_NOT_FOR_SITE})


@transaction.atomic
def goal_create(
    *,
    plan: IndividualPlan,
    domain: GoalDomain,
    description: str,
    target_date: datetime.date | None = None,
    status: str = "open",
) -> Goal:
    """Add a goal on one of the site's life areas to the plan."""
    _check_domain(plan, domain)
    goal = Goal(
        plan=plan,
        domain=domain,
        description=description.strip(),
        target_date=target_date,
        status=status,
    )
    goal.full_clean()
    goal.save()
    return goal


GOAL_EDITABLE_FIELDS = ("domain", "description", "target_date", "status")


@transaction.atomic
def goal_update(
    *, goal: Goal, data: dict[str, Any], expected_version: int | None = None
) -> Goal:
    """Change a goal; refused with ``ConcurrentEditError`` when someone else
    saved it after ``expected_version``."""
    if "domain" in data:
        _check_domain(goal.plan, data["domain"])
    for name in GOAL_EDITABLE_FIELDS:
        if name in data:
            setattr(goal, name, data[name])
    goal.full_clean()
    return versioned_save(
        instance=goal, fields=GOAL_EDITABLE_FIELDS, expected_version=expected_version
    )


ACTIVITY_EDITABLE_FIELDS = (
    "description",
    "responsible_organisation",
    "performing_organisation",
    "responsible_person",
    "status",
    "due_on",
    "done_on",
    "not_done_reason",
)


def _activity_apply(activity: Activity, data: dict[str, Any]) -> None:
    for name in ACTIVITY_EDITABLE_FIELDS:
        if name in data:
            value = data[name]
            setattr(activity, name, value.strip() if isinstance(value, str) else value)
    if activity.status != ActivityStatus.NOT_DONE:
        activity.not_done_reason = ""
    # Who did it: the responsible partner unless another party is named.
    if activity.performing_organisation is None:
        activity.performing_organisation = activity.responsible_organisation
    site = activity.goal.plan.stay.site
    for field in ("responsible_organisation", "performing_organisation"):
        performing_organisation_check(
            organisation=getattr(activity, field), site=site, field=field
        )


@transaction.atomic
def activity_create(*, goal: Goal, data: dict[str, Any]) -> Activity:
    """Add an activity to a goal; 'not done' requires a reason."""
    activity = Activity(goal=goal)
    _activity_apply(activity, data)
    activity.full_clean()
    activity.save()
    return activity


@transaction.atomic
def activity_update(
    *, activity: Activity, data: dict[str, Any], expected_version: int | None = None
) -> Activity:
    """Change an activity; marking it not done without a reason is refused,
    and so is a save based on an outdated version (``ConcurrentEditError``)."""
    _activity_apply(activity, data)
    activity.full_clean()
    return versioned_save(
        instance=activity,
        fields=ACTIVITY_EDITABLE_FIELDS,
        expected_version=expected_version,
    )


@transaction.atomic
def review_record(
    *,
    plan: IndividualPlan,
    held_on: datetime.date,
    kind: str,
    notes: str,
    participants: str = "",
    next_review_on: datetime.date | None = None,
) -> Review:
    """Record a progress review (mentor talk, progress meeting, buddy talk)."""
    review = Review(
        plan=plan,
        held_on=held_on,
        kind=kind,
        notes=notes.strip(),
        participants=participants.strip(),
        next_review_on=next_review_on,
    )
    review.full_clean()
    review.save()
    return review

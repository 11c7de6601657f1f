"""The individual plan: its goals, activities and reviews."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import role_required
from core.scoping import (
    CASE_READ_ROLES,
    CASE_WRITE_ROLES,
    get_visible_or_404,
)
from core.service_forms import (
    GET_POST,
    can_edit,
    message_service_errors,
    service_form_view,
)
from partners.selectors import consent_warnings
from trajectories import selectors, services
from trajectories.forms import (
    ActivityForm,
    GoalForm,
    PlanForm,
    ReviewForm,
)
from trajectories.models import (
    Activity,
    Goal,
    PlanFormDefinition,
    Stay,
)
from trajectories.views.base import visible_plan, visible_stay


def _definition(request: HttpRequest, stay: Stay) -> PlanFormDefinition | None:
    """The site's plan form, or None with a message when none is defined."""
    try:
        return services.plan_form_for(stay)
    except ValidationError as error:
        message_service_errors(request, error)
        return None


@role_required(CASE_WRITE_ROLES)
@GET_POST
def plan_create_view(request: HttpRequest, stay_pk: int) -> HttpResponse:
    stay = visible_stay(request, stay_pk)
    if hasattr(stay, "plan"):
        return redirect(stay.plan)
    definition = _definition(request, stay)
    if definition is None:
        return redirect(stay)
    form = PlanForm(request.POST or None, definition=definition)
    return service_form_view(
        request,
        form,
        lambda data: services.plan_create(stay=stay, data=data).get_absolute_url(),
        title=definition.plan_name,
        back=stay.get_absolute_url(),
        success=_("Plan saved."),
        context={"person": stay.person, "definition": definition, "plan_form": True},
    )


@role_required(CASE_READ_ROLES)
def plan_detail_view(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan = visible_plan(request, plan_pk, CASE_READ_ROLES)
    definition = getattr(plan.stay.site, "plan_form", None)
    shown = selectors.plan_shown_fields(plan, definition)
    context = {
        "plan": plan,
        "stay": plan.stay,
        "person": plan.stay.person,
        "definition": definition,
        "shown_fields": shown,
        "today": timezone.localdate(),
        "can_edit": can_edit(request.user, plan.stay.site_id),
        "consent_warnings": consent_warnings(person=plan.stay.person),
        **selectors.plan_detail_data(plan),
    }
    return render(request, "trajectories/plan_detail.html", context)


@role_required(CASE_WRITE_ROLES)
@GET_POST
def plan_update_view(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan = visible_plan(request, plan_pk)
    definition = _definition(request, plan.stay)
    if definition is None:
        return redirect(plan)
    form = PlanForm(request.POST or None, instance=plan, definition=definition)
    return service_form_view(
        request,
        form,
        lambda data: services.plan_update(
            plan=plan, data=form.service_data(), expected_version=form.expected_version
        ).get_absolute_url(),
        title=definition.plan_name,
        back=plan.get_absolute_url(),
        success=_("Plan saved as a new version."),
        context={
            "person": plan.stay.person,
            "definition": definition,
            "plan_form": True,
        },
    )


@role_required(CASE_WRITE_ROLES)
@GET_POST
def goal_create_view(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan = visible_plan(request, plan_pk)
    definition = _definition(request, plan.stay)
    if definition is None:
        return redirect(plan)
    form = GoalForm(request.POST or None, definition=definition)
    return service_form_view(
        request,
        form,
        lambda data: services.goal_create(plan=plan, **data),
        title=_("Add a goal"),
        back=plan.get_absolute_url(),
        success=_("Goal added."),
        context={"person": plan.stay.person},
    )


@role_required(CASE_WRITE_ROLES)
@GET_POST
def goal_update_view(request: HttpRequest, goal_pk: int) -> HttpResponse:
    goal = get_visible_or_404(
        Goal.objects.select_related("plan__stay__person"),
        request.user,
        CASE_WRITE_ROLES,
        pk=goal_pk,
    )
    definition = _definition(request, goal.plan.stay)
    if definition is None:
        return redirect(goal.plan)
    form = GoalForm(request.POST or None, instance=goal, definition=definition)
    return service_form_view(
        request,
        form,
        lambda data: services.goal_update(
            goal=goal, data=data, expected_version=form.expected_version
        ),
        title=_("Change the goal"),
        back=goal.plan.get_absolute_url(),
        success=_("Changes saved."),
        context={"person": goal.plan.stay.person},
    )


@role_required(CASE_WRITE_ROLES)
@GET_POST
def activity_create_view(request: HttpRequest, goal_pk: int) -> HttpResponse:
    goal = get_visible_or_404(
        Goal.objects.select_related("plan__stay__person", "plan__stay__site"),
        request.user,
        CASE_WRITE_ROLES,
        pk=goal_pk,
    )
    form = ActivityForm(request.POST or None, site=goal.plan.stay.site)
    return service_form_view(
        request,
        form,
        lambda data: services.activity_create(goal=goal, data=data),
        title=_("Add an activity"),
        back=goal.plan.get_absolute_url(),
        success=_("Activity added."),
        context={"person": goal.plan.stay.person, "goal": goal},
    )


@role_required(CASE_WRITE_ROLES)
@GET_POST
def activity_update_view(request: HttpRequest, activity_pk: int) -> HttpResponse:
    activity = get_visible_or_404(
        Activity.objects.select_related(
            "goal__plan__stay__person", "goal__plan__stay__site"
        ),
        request.user,
        CASE_WRITE_ROLES,
        pk=activity_pk,
    )
    form = ActivityForm(
        request.POST or None, instance=activity, site=activity.goal.plan.stay.site
    )
    return service_form_view(
        request,
        form,
        lambda data: services.activity_update(
            activity=activity, data=data, expected_version=form.expected_version
        ),
        title=_("Change the activity"),
        back=activity.goal.plan.get_absolute_url(),
        success=_("Changes saved."),
        context={"person": activity.goal.plan.stay.person, "goal": activity.goal},
    )


@role_required(CASE_WRITE_ROLES)
@GET_POST
def review_create_view(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan = visible_plan(request, plan_pk)
    form = ReviewForm(request.POST or None)
    return service_form_view(
        request,
        form,
        lambda data: services.review_record(plan=plan, **data),
        title=_("Record a progress review"),
        back=plan.get_absolute_url(),
        success=_("Review recorded."),
        context={"person": plan.stay.person},
    )

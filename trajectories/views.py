"""Views for stays, plans, work and the casemanager's overviews.

Every view fetches its object through ``get_visible_or_404`` (another site's
object is a 404), validates a form, calls one service and redirects, or
renders the form again with everything the user typed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.access import role_required
from core.models import Person, Site
from core.periods import Period, period_from_request
from core.scoping import (
    CASE_READ_ROLES,
    CASE_WRITE_ROLES,
    Role,
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
    STAY_CREATE_INTRO,
    ActivityForm,
    EmployerCheckForm,
    EmploymentForm,
    GoalForm,
    IncidentForm,
    JobSearchForm,
    LocationForm,
    OutflowForm,
    PhaseChangeForm,
    PlanForm,
    ReviewForm,
    StayCreateForm,
    StayStepForm,
    StayUpdateForm,
)
from trajectories.models import (
    Activity,
    Employment,
    Goal,
    IndividualPlan,
    PlanFormDefinition,
    Stay,
)
from trajectories.models.stays import STAY_OVERLAPS_OPEN

OCCUPANCY_ROLES = frozenset({Role.CASEMANAGER, Role.PROJECT_LEADER, Role.RESEARCHER})


def _stay(request: HttpRequest, pk: int, roles: Any = CASE_WRITE_ROLES) -> Stay:
    return get_visible_or_404(
        Stay.objects.select_related("person", "site", "place_type"),
        request.user,
        roles,
        pk=pk,
    )


def _plan(
    request: HttpRequest, pk: int, roles: Any = CASE_WRITE_ROLES
) -> IndividualPlan:
    return get_visible_or_404(
        IndividualPlan.objects.select_related("stay__person", "stay__site"),
        request.user,
        roles,
        pk=pk,
    )


# Stays ---------------------------------------------------------------------


@role_required(CASE_WRITE_ROLES)
@GET_POST
def stay_create_view(request: HttpRequest, person_pk: int) -> HttpResponse:
    person = get_visible_or_404(
        Person.objects.select_related("site"),
        request.user,
        CASE_WRITE_ROLES,
        pk=person_pk,
    )
    open_stay = person.stays.filter(ended_on__isnull=True).first()
    if open_stay is not None and request.method == "GET":
        # One stay at a time: placing again is not offered, and a direct
        # link says why and leads to the stay. A form sent anyway is refused
        # by the service with the input kept.
        messages.error(
            request, STAY_OVERLAPS_OPEN % {"start": date_format(open_stay.placed_on)}
        )
        return redirect(open_stay)
    form = StayCreateForm(request.POST or None, site=person.site)

    def save(data: dict[str, Any]) -> str:
        stay = services.stay_create(
            person=person,
            created_by=request.user,
            place_type=data["place_type"],
            placed_on=data["placed_on"],
            expected_end=data["expected_end"],
            legal_title=data["legal_title"] or None,
            capacity_override_reason=data["capacity_override_reason"],
        )
        return stay.get_absolute_url()

    return service_form_view(
        request,
        form,
        save,
        title=_("Place in the KV"),
        back=person.get_absolute_url(),
        success=_("Placement registered."),
        context={"person": person, "intro": STAY_CREATE_INTRO},
    )


@role_required(CASE_READ_ROLES)
def stay_detail_view(request: HttpRequest, stay_pk: int) -> HttpResponse:
    stay = _stay(request, stay_pk, CASE_READ_ROLES)
    context = {
        "stay": stay,
        "person": stay.person,
        "can_edit": can_edit(request.user, stay.site_id),
        "consent_warnings": consent_warnings(person=stay.person),
        **selectors.stay_detail_data(stay),
    }
    return render(request, "trajectories/stay_detail.html", context)


@role_required(CASE_WRITE_ROLES)
@GET_POST
def stay_update_view(request: HttpRequest, stay_pk: int) -> HttpResponse:
    stay = _stay(request, stay_pk)
    form = StayUpdateForm(request.POST or None, instance=stay)
    return service_form_view(
        request,
        form,
        lambda data: services.stay_update(
            stay=stay, data=data, expected_version=form.expected_version
        ),
        title=_("Change the stay"),
        back=stay.get_absolute_url(),
        success=_("Changes saved."),
        context={"person": stay.person},
    )


@role_required(CASE_WRITE_ROLES)
@GET_POST
def stay_phase_change_view(request: HttpRequest, stay_pk: int) -> HttpResponse:
    stay = _stay(request, stay_pk)
    form = PhaseChangeForm(request.POST or None, stay=stay)
    return service_form_view(
        request,
        form,
        lambda data: services.stay_phase_change(
            stay=stay, changed_by=request.user, **data
        ),
        title=_("Change phase or place type"),
        back=stay.get_absolute_url(),
        success=_("Phase change registered."),
        context={"person": stay.person},
    )


@role_required(CASE_WRITE_ROLES)
@GET_POST
def stay_step_create_view(request: HttpRequest, stay_pk: int) -> HttpResponse:
    stay = _stay(request, stay_pk)
    form = StayStepForm(request.POST or None, stay=stay)
    return service_form_view(
        request,
        form,
        lambda data: services.stay_step_record(stay=stay, actor=request.user, **data),
        title=_("Record a step after placement"),
        back=stay.get_absolute_url(),
        success=_("Step recorded."),
        context={"person": stay.person},
    )


@role_required(CASE_WRITE_ROLES)
@GET_POST
def location_create_view(request: HttpRequest, stay_pk: int) -> HttpResponse:
    stay = _stay(request, stay_pk)
    form = LocationForm(request.POST or None)
    return service_form_view(
        request,
        form,
        lambda data: services.location_period_record(stay=stay, **data),
        title=_("Where is the person?"),
        back=stay.get_absolute_url(),
        success=_("Location registered."),
        context={"person": stay.person},
    )


@role_required(CASE_WRITE_ROLES)
@GET_POST
def incident_create_view(request: HttpRequest, stay_pk: int) -> HttpResponse:
    stay = _stay(request, stay_pk)
    form = IncidentForm(request.POST or None)
    return service_form_view(
        request,
        form,
        lambda data: services.incident_record(
            stay=stay,
            recorded_by=request.user,
            **{**data, "decided_by": data["decided_by"] or ""},
        ),
        title=_("Register an incident or violation"),
        back=stay.get_absolute_url(),
        success=_("Incident registered."),
        context={"person": stay.person},
    )


@role_required(CASE_WRITE_ROLES)
@GET_POST
def stay_outflow_view(request: HttpRequest, stay_pk: int) -> HttpResponse:
    stay = _stay(request, stay_pk)
    form = OutflowForm(
        request.POST or None,
        initial={"aftercare_municipality": stay.person.aftercare_municipality},
    )
    return service_form_view(
        request,
        form,
        lambda data: services.stay_end(stay=stay, **data),
        title=_("Register the outflow"),
        back=stay.get_absolute_url(),
        success=_("Outflow registered."),
        context={"person": stay.person},
    )


#: the occupancy page lists every day; two years at most
OCCUPANCY_MAX_DAYS = 731


@role_required(OCCUPANCY_ROLES)
def site_occupancy_view(request: HttpRequest, site_code: str) -> HttpResponse:
    site = get_visible_or_404(Site, request.user, OCCUPANCY_ROLES, code=site_code)
    form, period = period_from_request(request.GET)
    if period.days > OCCUPANCY_MAX_DAYS:
        # a row per day: longer periods are the dashboard's (per month)
        period = Period.default()
    start, end = period.start, period.end
    context = {
        "site": site,
        "form": form,
        "period": period,
        "start": start,
        "end": end,
        "days": selectors.occupancy_by_day(site=site, start=start, end=end),
        "lengths": selectors.length_of_stay_by_phase(site=site, start=start, end=end),
    }
    return render(request, "trajectories/site_occupancy.html", context)


# Plans -----------------------------------------------------------------------


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
    stay = _stay(request, stay_pk)
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
    plan = _plan(request, plan_pk, CASE_READ_ROLES)
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
    plan = _plan(request, plan_pk)
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
    plan = _plan(request, plan_pk)
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
    plan = _plan(request, plan_pk)
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


# Work ------------------------------------------------------------------------


EMPLOYMENT_FORM_ONLY = ("employer_name", "confirm_rule_breach", "rule_breach_reason")


def _employment_data(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in EMPLOYMENT_FORM_ONLY}


def _job_saved(request: HttpRequest, job: Employment, success: str) -> str:
    """The success message; a job against the work rules says so."""
    if job.rule_breach_reason:
        messages.warning(
            request,
            _(
                "Job saved against the work rules of %(site)s; it shows under "
                "Plans to do until it meets them."
            )
            % {"site": job.stay.site.name},
        )
    else:
        messages.success(request, success)
    return job.stay.get_absolute_url()


@role_required(CASE_WRITE_ROLES)
@GET_POST
def employment_create_view(request: HttpRequest, stay_pk: int) -> HttpResponse:
    stay = _stay(request, stay_pk)
    work_rules = list(stay.site.work_rules.all())
    form = EmploymentForm(request.POST or None, has_work_rules=bool(work_rules))
    return service_form_view(
        request,
        form,
        lambda data: _job_saved(
            request,
            services.employment_record(
                stay=stay,
                employer_name=data["employer_name"],
                data=_employment_data(data),
                actor=request.user,
                **form.rule_breach_data(),
            ),
            _("Job registered."),
        ),
        title=_("Register a job"),
        back=stay.get_absolute_url(),
        success="",
        context={"person": stay.person, "work_rules": work_rules},
    )


@role_required(CASE_WRITE_ROLES)
@GET_POST
def employment_update_view(request: HttpRequest, employment_pk: int) -> HttpResponse:
    job = get_visible_or_404(
        Employment.objects.select_related("stay__person", "stay__site", "employer"),
        request.user,
        CASE_WRITE_ROLES,
        pk=employment_pk,
    )
    work_rules = list(job.stay.site.work_rules.all())
    form = EmploymentForm(
        request.POST or None, instance=job, has_work_rules=bool(work_rules)
    )
    return service_form_view(
        request,
        form,
        lambda data: _job_saved(
            request,
            services.employment_update(
                job=job,
                employer_name=data["employer_name"],
                data=_employment_data(data),
                actor=request.user,
                expected_version=form.expected_version,
                **form.rule_breach_data(),
            ),
            _("Changes saved."),
        ),
        title=_("Change the job"),
        back=job.stay.get_absolute_url(),
        success="",
        context={"person": job.stay.person, "work_rules": work_rules},
    )


@role_required(CASE_WRITE_ROLES)
@GET_POST
def employer_check_create_view(
    request: HttpRequest, employment_pk: int
) -> HttpResponse:
    job = get_visible_or_404(
        Employment.objects.select_related("stay__person"),
        request.user,
        CASE_WRITE_ROLES,
        pk=employment_pk,
    )
    form = EmployerCheckForm(request.POST or None)
    return service_form_view(
        request,
        form,
        lambda data: services.employer_check_record(job=job, **data),
        title=_("Register an employer check"),
        back=job.stay.get_absolute_url(),
        success=_("Employer check registered."),
        context={"person": job.stay.person},
    )


@role_required(CASE_WRITE_ROLES)
@GET_POST
def job_search_create_view(request: HttpRequest, stay_pk: int) -> HttpResponse:
    stay = _stay(request, stay_pk)
    form = JobSearchForm(request.POST or None)
    return service_form_view(
        request,
        form,
        lambda data: services.job_search_record(stay=stay, **data),
        title=_("Register a job-search activity"),
        back=stay.get_absolute_url(),
        success=_("Job-search activity registered."),
        context={"person": stay.person},
    )


# Overviews -------------------------------------------------------------------


@role_required(CASE_READ_ROLES)
def person_timeline_view(request: HttpRequest, person_pk: int) -> HttpResponse:
    person = get_visible_or_404(
        Person.objects.select_related("site"),
        request.user,
        CASE_READ_ROLES,
        pk=person_pk,
    )
    entries = selectors.person_timeline(person=person)
    return render(
        request,
        "trajectories/person_timeline.html",
        {"person": person, "entries": entries},
    )


@role_required(CASE_READ_ROLES)
def worklist_view(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    context = {
        "today": today,
        "plans_without_goals": selectors.plans_without_goals(user=request.user),
        "activities_past_due": selectors.activities_past_due(
            user=request.user, today=today
        ),
        "reviews_overdue": selectors.reviews_overdue(user=request.user, today=today),
        "consents_missing": selectors.consents_missing(user=request.user),
        "work_rule_breaches": selectors.work_rule_breaches(
            selectors.current_jobs(user=request.user)
        ),
        "steps_to_do": selectors.stay_steps_to_do(user=request.user),
    }
    return render(request, "trajectories/worklist.html", context)

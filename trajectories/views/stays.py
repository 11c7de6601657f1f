"""Stays: placement, phases, steps, locations, incidents, outflow and the
site occupancy."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.access import role_required
from core.models import Person, Site
from core.periods import Period, period_from_request
from core.scoping import (
    CASE_READ_ROLES,
    CASE_WRITE_ROLES,
    get_visible_or_404,
)
from core.service_forms import (
    GET_POST,
    can_edit,
    service_form_view,
)
from partners.selectors import consent_warnings
from trajectories import selectors, services
from trajectories.forms import (
    STAY_CREATE_INTRO,
    IncidentForm,
    LocationForm,
    OutflowForm,
    PhaseChangeForm,
    StayCreateForm,
    StayStepForm,
    StayUpdateForm,
)
from trajectories.models.stays import STAY_OVERLAPS_OPEN
from trajectories.views.base import OCCUPANCY_ROLES, visible_stay


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
    stay = visible_stay(request, stay_pk, CASE_READ_ROLES)
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
    stay = visible_stay(request, stay_pk)
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
    stay = visible_stay(request, stay_pk)
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
    stay = visible_stay(request, stay_pk)
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
    stay = visible_stay(request, stay_pk)
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
    stay = visible_stay(request, stay_pk)
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
    stay = visible_stay(request, stay_pk)
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

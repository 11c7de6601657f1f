"""Meetings with their decisions and actions, and the forecast of a site."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.access import role_required
from core.models import Site
from core.request_context import Read, note_read
from core.scoping import get_visible_or_404, site_ids_for
from core.service_forms import service_form_view
from steering import selectors, services
from steering.forms import (
    ActionDoneForm,
    ActionForm,
    DecisionForm,
    ForecastAlertRuleForm,
    ForecastVersionForm,
    MeetingForm,
)
from steering.models import Action, ForecastAlertRule, ForecastVersion, Meeting
from steering.selectors import (
    FORECAST_WRITE_ROLES,
    NAMED_CASE_ROLES,
    STEERING_READ_ROLES,
    STEERING_WRITE_ROLES,
)

GET_POST = require_http_methods(["GET", "POST"])
FORM_TEMPLATE = "steering/object_form.html"
MEETINGS_PER_PAGE = 25
ACTIONS_PER_PAGE = 50


def _form_view(
    request: HttpRequest,
    form: BaseForm,
    save: Callable[[dict[str, Any]], Any],
    *,
    title: str,
    back: str,
    success: str,
    site: Site,
) -> HttpResponse:
    """One service behind a form, through the project's service-form view."""
    return service_form_view(
        request,
        form,
        save,
        title=title,
        back=back,
        success=success,
        context={"site": site},
        template=FORM_TEMPLATE,
    )


def _site(request: HttpRequest, code: str, roles: frozenset[str]) -> Site:
    return get_visible_or_404(Site, request.user, roles, code=code)


def _meeting(request: HttpRequest, pk: int, roles: frozenset[str]) -> Meeting:
    return get_visible_or_404(
        Meeting.objects.select_related("site", "kind"), request.user, roles, pk=pk
    )


@role_required(STEERING_READ_ROLES)
def index_view(request: HttpRequest) -> HttpResponse:
    """The user's sites and the open actions there, earliest due first."""
    sites = Site.objects.visible_to(request.user, STEERING_READ_ROLES).order_by("name")
    actions = selectors.open_actions(user=request.user)
    page = Paginator(actions, ACTIONS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "sites": sites,
        "page": page,
        "today": timezone.localdate(),
        "can_write": site_ids_for(request.user, STEERING_WRITE_ROLES),
    }
    return render(request, "steering/index.html", context)


@role_required(STEERING_READ_ROLES)
def meeting_list_view(request: HttpRequest, site_code: str) -> HttpResponse:
    site = _site(request, site_code, STEERING_READ_ROLES)
    meetings = selectors.meeting_list(user=request.user, site=site).annotate(
        decision_count=Count("decisions", distinct=True),
        open_action_count=Count(
            "actions", filter=Q(actions__done_on__isnull=True), distinct=True
        ),
    )
    page = Paginator(meetings, MEETINGS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "site": site,
        "page": page,
        "kinds": site.meeting_kinds.all(),
        "can_write": site.pk in site_ids_for(request.user, STEERING_WRITE_ROLES),
    }
    return render(request, "steering/meeting_list.html", context)


@role_required(STEERING_WRITE_ROLES)
@GET_POST
def meeting_create_view(request: HttpRequest, site_code: str) -> HttpResponse:
    site = _site(request, site_code, STEERING_WRITE_ROLES)
    form = MeetingForm(request.POST or None, site=site)
    return _form_view(
        request,
        form,
        lambda data: services.meeting_create(
            site=site,
            kind=data["kind"],
            held_on=data["held_on"],
            organisations=data["organisations"],
            other_attendees=data["other_attendees"],
            notes=data["notes"],
            created_by=request.user,
        ).get_absolute_url(),
        title=_("Record a meeting"),
        back=reverse("steering:meeting_list", args=[site.code]),
        success=_("Meeting recorded."),
        site=site,
    )


def _note_case_reads(cases: list[Any]) -> None:
    """The read-access log: a decision shows which people it concerns."""
    for case in cases:
        note_read(
            Read(
                person_id=case.person_id,
                site_id=case.site_id,
                object_type="intake.intakecase",
                object_id=case.pk,
            )
        )


@role_required(STEERING_READ_ROLES)
def meeting_detail_view(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    meeting = _meeting(request, meeting_pk, STEERING_READ_ROLES)
    decisions = list(
        meeting.decisions.select_related(
            "criteria_version", "process_version"
        ).prefetch_related("cases__person")
    )
    show_names = meeting.site_id in site_ids_for(request.user, NAMED_CASE_ROLES)
    _note_case_reads([case for d in decisions for case in d.cases.all()])
    context = {
        "meeting": meeting,
        "site": meeting.site,
        "organisations": meeting.organisations.order_by("name"),
        "decisions": decisions,
        "actions": meeting.actions.select_related("owner", "decision"),
        "show_names": show_names,
        "today": timezone.localdate(),
        "can_write": meeting.site_id
        in site_ids_for(request.user, STEERING_WRITE_ROLES),
    }
    return render(request, "steering/meeting_detail.html", context)


@role_required(STEERING_WRITE_ROLES)
@GET_POST
def decision_create_view(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    meeting = _meeting(request, meeting_pk, STEERING_WRITE_ROLES)
    form = DecisionForm(request.POST or None, site=meeting.site)
    return _form_view(
        request,
        form,
        lambda data: services.decision_create(
            meeting=meeting,
            text=data["text"],
            criteria_version=data["criteria_version"],
            process_version=data["process_version"],
            cases=data["case_numbers"],
            created_by=request.user,
        ),
        title=_("Record a decision"),
        back=meeting.get_absolute_url(),
        success=_("Decision recorded."),
        site=meeting.site,
    )


@role_required(STEERING_WRITE_ROLES)
@GET_POST
def action_create_view(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    meeting = _meeting(request, meeting_pk, STEERING_WRITE_ROLES)
    form = ActionForm(request.POST or None, meeting=meeting)
    return _form_view(
        request,
        form,
        lambda data: services.action_create(
            meeting=meeting,
            description=data["description"],
            owner=data["owner"],
            due_on=data["due_on"],
            decision=data["decision"],
            created_by=request.user,
        ),
        title=_("Record a follow-up action"),
        back=meeting.get_absolute_url(),
        success=_("Action recorded."),
        site=meeting.site,
    )


@role_required(STEERING_WRITE_ROLES)
@GET_POST
def action_done_view(request: HttpRequest, action_pk: int) -> HttpResponse:
    action = get_visible_or_404(
        Action.objects.select_related("meeting__site"),
        request.user,
        STEERING_WRITE_ROLES,
        pk=action_pk,
    )
    meeting = action.meeting
    if action.done_on is not None and request.method == "GET":
        messages.info(request, _("This action was already marked as done."))
        return redirect(meeting)
    form = ActionDoneForm(
        request.POST or None, initial={"done_on": timezone.localdate()}
    )
    return _form_view(
        request,
        form,
        lambda data: services.action_complete(
            action=action, done_on=data["done_on"], completed_by=request.user
        ),
        title=_("Mark the action as done: %(action)s") % {"action": action},
        back=meeting.get_absolute_url(),
        success=_("Action marked as done."),
        site=meeting.site,
    )


@role_required(STEERING_READ_ROLES)
def forecast_view(request: HttpRequest, site_code: str) -> HttpResponse:
    site = _site(request, site_code, STEERING_READ_ROLES)
    context = {
        "site": site,
        "versions": ForecastVersion.objects.filter(site=site)
        .select_related("created_by")
        .order_by("-valid_from", "-version"),
        "rule": selectors.alert_rule(site.pk),
        "can_write": site.pk in site_ids_for(request.user, FORECAST_WRITE_ROLES),
    }
    return render(request, "steering/forecast.html", context)


@role_required(FORECAST_WRITE_ROLES)
@GET_POST
def forecast_create_view(request: HttpRequest, site_code: str) -> HttpResponse:
    site = _site(request, site_code, FORECAST_WRITE_ROLES)
    form = ForecastVersionForm(request.POST or None, site=site)
    return _form_view(
        request,
        form,
        lambda data: services.forecast_version_create(
            site=site, created_by=request.user, **data
        ),
        title=_("New forecast version"),
        back=reverse("steering:forecast", args=[site.code]),
        success=_("Forecast version recorded."),
        site=site,
    )


@role_required(FORECAST_WRITE_ROLES)
@GET_POST
def forecast_rule_view(request: HttpRequest, site_code: str) -> HttpResponse:
    site = _site(request, site_code, FORECAST_WRITE_ROLES)
    rule = ForecastAlertRule.objects.filter(site=site).first() or ForecastAlertRule(
        site=site
    )
    form = ForecastAlertRuleForm(request.POST or None, instance=rule)
    return _form_view(
        request,
        form,
        lambda data: services.forecast_alert_rule_set(
            site=site,
            share_percent=data["share_percent"],
            months=data["months"],
            changed_by=request.user,
            expected_version=form.expected_version,
        ),
        title=_("When to warn about inflow behind the forecast"),
        back=reverse("steering:forecast", args=[site.code]),
        success=_("Warning rule saved."),
        site=site,
    )

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import history as person_history
from core.access import login_only, role_required
from core.concurrency import ConcurrentEditError
from core.digest import digest_lines
from core.filters import PersonFilter
from core.forms import NotificationSettingsForm, PersonForm
from core.models import AuditEvent, NotificationSettings, Person, RetentionListing, Site
from core.registry import sections
from core.retention import RETENTION_KIND_LABELS
from core.scoping import (
    CASE_READ_ROLES,
    CASE_WRITE_ROLES,
    REFERENCE_ROLES,
    RESEARCH_ROLES,
    Role,
    get_visible_or_404,
    roles_of,
    site_ids_for,
)
from core.search import table_configure
from core.selectors import person_list, site_list
from core.service_forms import add_service_errors
from core.service_forms import can_edit as user_can_edit
from core.services import (
    DuplicatePersonError,
    notification_settings_update,
    person_create,
    person_update,
)
from core.tables import PersonTable

# Longer text is no name or number anyone types.
SEARCH_MAX_CHARS = 200


@login_only
def home(request: HttpRequest) -> HttpResponse:
    roles = roles_of(request.user)
    context = {
        "sites": site_list(user=request.user),
        "recent_people": Person.objects.visible_to(request.user, CASE_WRITE_ROLES)
        .select_related("site")
        .order_by("-created_at")[:10]
        if Role.CASEMANAGER in roles
        else [],
        "sections": sections("home_sections", request),
    }
    return render(request, "core/home.html", context)


@role_required(CASE_READ_ROLES)
def person_list_view(request: HttpRequest) -> HttpResponse:
    people = person_list(user=request.user, filters=request.GET)
    table = PersonTable(people)
    table_configure(request, table)
    person_filter = PersonFilter(request.GET, request_user=request.user)
    return render(
        request,
        "core/person_list.html",
        {"table": table, "filter": person_filter},
    )


@role_required(CASE_WRITE_ROLES)
@require_http_methods(["GET", "POST"])
def person_create_view(request: HttpRequest) -> HttpResponse:
    sites = Site.objects.visible_to(request.user, CASE_WRITE_ROLES)
    form = PersonForm(request.POST or None, sites=sites)
    duplicates: list[Person] = []
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            person = person_create(**data)
        except DuplicatePersonError as error:
            duplicates = error.matches
            add_service_errors(form, error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Person registered."))
            return redirect(person)
    return render(
        request,
        "core/person_form.html",
        {"form": form, "duplicates": duplicates, "creating": True},
    )


@role_required(CASE_READ_ROLES)
def person_detail_view(request: HttpRequest, person_pk: int) -> HttpResponse:
    person = get_visible_or_404(
        Person.objects.select_related("site"),
        request.user,
        CASE_READ_ROLES,
        pk=person_pk,
    )
    can_edit = user_can_edit(request.user, person.site_id)
    context = {
        "person": person,
        "can_edit": can_edit,
        "sections": sections("person_sections", request, person),
    }
    return render(request, "core/person_detail.html", context)


@role_required(CASE_WRITE_ROLES)
@require_http_methods(["GET", "POST"])
def person_update_view(request: HttpRequest, person_pk: int) -> HttpResponse:
    person = get_visible_or_404(Person, request.user, CASE_WRITE_ROLES, pk=person_pk)
    sites = Site.objects.filter(pk=person.site_id)
    form = PersonForm(request.POST or None, instance=person, sites=sites)
    duplicates: list[Person] = []
    if request.method == "POST" and form.is_valid():
        try:
            person_update(
                person=person,
                data=form.cleaned_data,
                expected_version=form.expected_version,
            )
        except DuplicatePersonError as error:
            duplicates = error.matches
            add_service_errors(form, error)
        except ConcurrentEditError as error:
            form.show_conflict(error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(person)
    return render(
        request,
        "core/person_form.html",
        {"form": form, "duplicates": duplicates, "person": person},
    )


@role_required(CASE_READ_ROLES)
def person_history_view(request: HttpRequest, person_pk: int) -> HttpResponse:
    person = get_visible_or_404(
        Person.objects.select_related("site"),
        request.user,
        CASE_READ_ROLES,
        pk=person_pk,
    )
    entries = person_history.person_history(person)
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    return render(request, "core/person_history.html", {"person": person, "page": page})


@role_required(REFERENCE_ROLES)
def site_list_view(request: HttpRequest) -> HttpResponse:
    sites = site_list(user=request.user).prefetch_related("status_periods")
    return render(request, "core/site_list.html", {"sites": sites})


@role_required(REFERENCE_ROLES)
def site_detail_view(request: HttpRequest, site_code: str) -> HttpResponse:
    site = get_visible_or_404(Site, request.user, REFERENCE_ROLES, code=site_code)
    context = {
        "site": site,
        "status_periods": site.status_periods.all(),
        "place_types": site.place_types.prefetch_related("capacity_periods"),
        "criteria_versions": site.criteria_versions.prefetch_related("criteria"),
        "sections": sections("site_sections", request, site),
    }
    return render(request, "core/site_detail.html", context)


@role_required({Role.FUNCTIONAL_ADMIN})
def audit_log_view(request: HttpRequest) -> HttpResponse:
    site_ids = site_ids_for(request.user, {Role.FUNCTIONAL_ADMIN})
    # Logins and other events without a site belong to the sites their actor
    # works at.
    events = AuditEvent.objects.filter(
        Q(site_id__in=site_ids)
        | Q(site__isnull=True, actor__memberships__site_id__in=site_ids)
    ).distinct()
    page = Paginator(events.select_related("site").order_by("-at"), 100).get_page(
        request.GET.get("page")
    )
    return render(request, "core/audit_log.html", {"page": page})


@login_only
@require_http_methods(["GET", "POST"])
def account_notifications_view(request: HttpRequest) -> HttpResponse:
    """The user's own e-mail choices, with what today's e-mail would hold."""
    current = NotificationSettings.objects.filter(user=request.user).first()
    form = NotificationSettingsForm(
        # an unticked box posts nothing: an empty POST is still a submission
        request.POST if request.method == "POST" else None,
        instance=current or NotificationSettings(user=request.user),
    )
    if request.method == "POST" and form.is_valid():
        notification_settings_update(
            user=request.user, daily_digest=form.cleaned_data["daily_digest"]
        )
        messages.success(request, _("Your choice is saved."))
        return redirect("core:account_notifications")
    context = {
        "form": form,
        "lines": digest_lines(request.user),
        "last_sent": current.digest_sent_on if current else None,
    }
    return render(request, "core/account_notifications.html", context)


@role_required({Role.FUNCTIONAL_ADMIN})
def retention_listing_view(request: HttpRequest) -> HttpResponse:
    """The latest monthly retention listing of each of the user's sites."""
    listings = []
    for site in Site.objects.visible_to(request.user, {Role.FUNCTIONAL_ADMIN}):
        latest = RetentionListing.objects.filter(site=site).first()
        if latest is not None:
            latest.rows = [
                (entry["pseudonym"], RETENTION_KIND_LABELS.get(entry["kind"], ""))
                for entry in latest.people[:1000]
            ]
            listings.append(latest)
    return render(request, "core/retention_listing.html", {"listings": listings})


SEARCH_ROLES = CASE_READ_ROLES | RESEARCH_ROLES


@role_required(SEARCH_ROLES)
def search_view(request: HttpRequest) -> HttpResponse:
    """The header search: people and cases (pseudonyms for researchers)."""
    text = request.GET.get("q", "").strip()[:SEARCH_MAX_CHARS]
    results = sections("search_sections", request, text) if text else []
    return render(request, "core/search.html", {"text": text, "sections": results})

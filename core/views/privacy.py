"""Privacy pages of functional administrators: the audit log and the
read-access log of their sites, the read-access log of one person, the
data-subject access document and the monthly retention listing."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from core.access import role_required
from core.account_forms import PersonSearchForm, SubjectAccessForm
from core.models import (
    AuditEvent,
    Person,
    RetentionListing,
    Site,
    SubjectAccessDisclosure,
)
from core.read_log import READ_LOG_ROLES, read_log_for_person, read_log_for_sites
from core.retention import RETENTION_KIND_LABELS
from core.scoping import Role, get_visible_or_404, site_ids_for
from core.selectors import person_search
from core.subject_access import subject_access_produce

SEARCH_LIMIT = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@role_required(READ_LOG_ROLES)
def read_log_view(request: HttpRequest) -> HttpResponse:
    reads = read_log_for_sites(user=request.user)
    username = request.GET.get("user", "").strip()[:150]
    if username:
        reads = reads.filter(username=username)
    page = Paginator(reads, 100).get_page(request.GET.get("page"))
    return render(
        request, "core/privacy/read_log.html", {"page": page, "username": username}
    )


@role_required(READ_LOG_ROLES)
def privacy_people_view(request: HttpRequest) -> HttpResponse:
    """Find one person by last name or DJI number (and birth date)."""
    form = PersonSearchForm(request.GET or None)
    people = Person.objects.none()
    if form.is_valid() and (
        form.cleaned_data["q"] or form.cleaned_data["date_of_birth"]
    ):
        people = Person.objects.visible_to(request.user, READ_LOG_ROLES)
        people = person_search(people, form.cleaned_data["q"], researcher=False)
        if form.cleaned_data["date_of_birth"]:
            people = people.filter(date_of_birth=form.cleaned_data["date_of_birth"])
        people = people.select_related("site").order_by("last_name", "first_name")
    return render(
        request,
        "core/privacy/people.html",
        {"form": form, "people": people[:SEARCH_LIMIT], "limit": SEARCH_LIMIT},
    )


def _person(request: HttpRequest, person_pk: int) -> Person:
    return get_visible_or_404(
        Person.objects.select_related("site"),
        request.user,
        READ_LOG_ROLES,
        pk=person_pk,
    )


@role_required(READ_LOG_ROLES)
def person_read_log_view(request: HttpRequest, person_pk: int) -> HttpResponse:
    person = _person(request, person_pk)
    page = Paginator(read_log_for_person(person=person), 100).get_page(
        request.GET.get("page")
    )
    return render(
        request, "core/privacy/person_read_log.html", {"person": person, "page": page}
    )


@role_required(READ_LOG_ROLES)
@require_http_methods(["GET", "POST"])
def subject_access_view(request: HttpRequest, person_pk: int) -> HttpResponse:
    person = _person(request, person_pk)
    form = SubjectAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _disclosure, content = subject_access_produce(
            person=person, by=request.user, **form.cleaned_data
        )
        response = HttpResponse(content, content_type=XLSX)
        day = timezone.localdate().isoformat()
        response["Content-Disposition"] = (
            f'attachment; filename="inzage-{person.pseudonym}-{day}.xlsx"'
        )
        return response
    disclosures = SubjectAccessDisclosure.objects.filter(person=person)
    return render(
        request,
        "core/privacy/subject_access.html",
        {"person": person, "form": form, "disclosures": disclosures},
    )


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

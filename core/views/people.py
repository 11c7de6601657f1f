"""People: the list, registering, a person's page, changes and history."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import history as person_history
from core.access import role_required
from core.concurrency import ConcurrentEditError
from core.filters import PersonFilter
from core.forms import PersonForm
from core.models import Person, Site
from core.registry import sections
from core.scoping import CASE_READ_ROLES, CASE_WRITE_ROLES, get_visible_or_404
from core.search import table_configure
from core.selectors import person_list
from core.service_forms import add_service_errors
from core.service_forms import can_edit as user_can_edit
from core.services import DuplicatePersonError, person_create, person_update
from core.tables import PersonTable


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

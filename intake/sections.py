"""Blocks the intake app adds to the home, person and site pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from core.models import Person, Site
from core.registry import Section
from core.scoping import (
    CASE_READ_ROLES,
    REFERENCE_ROLES,
    Role,
    roles_of,
    site_ids_for,
)
from core.service_forms import can_edit
from intake.selectors import case_search, person_cases, worklist_page

#: work items on a casemanager's home page
HOME_ITEMS = 10


def home(request: HttpRequest, obj: Any = None) -> Section | None:
    """What needs doing in intake, for casemanagers."""
    if Role.CASEMANAGER not in roles_of(request.user):
        return None
    found = worklist_page(user=request.user, limit=HOME_ITEMS)
    return Section(
        template="intake/partials/_home.html",
        context={"items": found.items, "total": found.total, "overdue": found.overdue},
        order=20,
    )


def person(request: HttpRequest, obj: Person) -> Section | None:
    if obj.site_id not in site_ids_for(request.user, CASE_READ_ROLES):
        return None
    return Section(
        template="intake/partials/_person.html",
        context={
            "person": obj,
            "cases": list(person_cases(person=obj)),
            "can_open": can_edit(request.user, obj.site_id),
        },
        order=20,
    )


def site(request: HttpRequest, obj: Site) -> Section | None:
    if obj.pk not in site_ids_for(request.user, REFERENCE_ROLES):
        return None
    return Section(
        template="intake/partials/_site.html",
        context={
            "site": obj,
            "can_read_cases": obj.pk in site_ids_for(request.user, CASE_READ_ROLES),
        },
        order=20,
    )


SEARCH_LIMIT = 20


def search(request: HttpRequest, text: str) -> Section | None:
    """Intake cases of the people found, or by case number ("#103")."""
    if not site_ids_for(request.user, CASE_READ_ROLES):
        return None
    cases = case_search(user=request.user, text=text)
    found = list(cases[: SEARCH_LIMIT + 1])
    return Section(
        template="intake/partials/_search_cases.html",
        context={"cases": found[:SEARCH_LIMIT], "more": len(found) > SEARCH_LIMIT},
        order=20,
    )

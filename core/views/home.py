"""The home page and the header search."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.access import login_only, role_required
from core.models import Person
from core.registry import sections
from core.scoping import (
    CASE_READ_ROLES,
    CASE_WRITE_ROLES,
    RESEARCH_ROLES,
    Role,
    roles_of,
)
from core.selectors import site_list

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


SEARCH_ROLES = CASE_READ_ROLES | RESEARCH_ROLES


@role_required(SEARCH_ROLES)
def search_view(request: HttpRequest) -> HttpResponse:
    """The header search: people and cases (pseudonyms for researchers)."""
    text = request.GET.get("q", "").strip()[:SEARCH_MAX_CHARS]
    results = sections("search_sections", request, text) if text else []
    return render(request, "core/search.html", {"text": text, "sections": results})

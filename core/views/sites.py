"""Sites as reference data: the list and a site's page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.access import role_required
from core.models import Site
from core.registry import sections
from core.scoping import REFERENCE_ROLES, get_visible_or_404
from core.selectors import site_list


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

"""Overviews of intake: the casemanager's worklist, a site's funnel and its
intake process versions."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.access import role_required
from core.models import Site
from core.periods import period_from_request
from core.scoping import CASE_READ_ROLES, REFERENCE_ROLES, get_visible_or_404
from core.search import page_from
from intake.selectors import (
    WORKLIST_PAGE_SIZE,
    funnel_for_site,
    process_versions_for_site,
    worklist_page,
)


@role_required(CASE_READ_ROLES)
def worklist_view(request: HttpRequest) -> HttpResponse:
    sites = Site.objects.visible_to(request.user, CASE_READ_ROLES)
    site = sites.filter(code=request.GET.get("site", "")).first()
    number = page_from(request.GET.get("page"))
    # a number past the last page gets the last page, here as in the selector
    found = worklist_page(
        user=request.user,
        site=site,
        offset=(number - 1) * WORKLIST_PAGE_SIZE,
        limit=WORKLIST_PAGE_SIZE,
    )
    page = Paginator(range(found.total), WORKLIST_PAGE_SIZE).get_page(number)
    return render(
        request,
        "intake/worklist.html",
        {
            "items": found.items,
            "total": found.total,
            "overdue": found.overdue,
            "page": page,
            "sites": sites,
            "site": site,
            "today": timezone.localdate(),
        },
    )


@role_required(CASE_READ_ROLES)
def funnel_view(request: HttpRequest, site_code: str) -> HttpResponse:
    site = get_visible_or_404(Site, request.user, CASE_READ_ROLES, code=site_code)
    form, period = period_from_request(request.GET)
    funnel = funnel_for_site(site=site, start=period.start, end=period.end)
    context = {"funnel": funnel, "site": site, "form": form, "period": period}
    return render(request, "intake/funnel.html", context)


@role_required(REFERENCE_ROLES)
def process_view(request: HttpRequest, site_code: str) -> HttpResponse:
    site = get_visible_or_404(Site, request.user, REFERENCE_ROLES, code=site_code)
    processes = process_versions_for_site(site=site)
    return render(
        request, "intake/process.html", {"site": site, "processes": processes}
    )

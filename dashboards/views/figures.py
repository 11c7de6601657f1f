"""Dashboards per site, the programme overview and the cases behind a number."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from core.access import role_required
from core.models import Site
from core.periods import Period, period_from_request
from core.scoping import (
    CASE_READ_ROLES,
    DASHBOARD_ROLES,
    get_visible_or_404,
    site_ids_for,
)
from dashboards import b7
from dashboards.materialised import overview_figures_serve
from dashboards.metrics import describe, rows_behind
from dashboards.overview import b7_names
from dashboards.panels import dashboard_panels
from dashboards.scope import Scope
from dashboards.selectors.access import (
    CASE_LIST_ROLES,
    case_list_page,
    dashboard_sites,
)
from dashboards.selectors.flow import SiteSummary


@dataclass(frozen=True)
class SiteRow:
    """A line of the overview's table of sites, its links built in advance."""

    site: Site
    summary: SiteSummary
    #: the site's dashboard for the period
    dashboard_url: str
    #: the site's case list for the period; the table adds the metric
    cases_url: str


#: stands for the site code in a URL reversed once for the whole table
_CODE = "site-code-placeholder"


def _site_rows(
    sites: list[Site], summaries: dict[int, SiteSummary], period: Period
) -> list[SiteRow]:
    """The table of sites with two ``reverse()`` calls, not four per site
    (about 50 microseconds each: 20 ms for a hundred sites)."""
    dashboard = reverse("dashboards:site_dashboard", args=[_CODE])
    cases = reverse("dashboards:site_cases", args=[_CODE])
    query = period.query()
    return [
        SiteRow(
            site,
            summaries[site.pk],
            # a site code is a slug: nothing in it needs quoting
            f"{dashboard.replace(_CODE, site.code)}?{query}",
            f"{cases.replace(_CODE, site.code)}?{query}",
        )
        for site in sites
    ]


# its stored figures commit at once rather than at the end of the request
# (dashboards.materialised), so readers never wait for each other's page
@transaction.non_atomic_requests
@role_required(DASHBOARD_ROLES)
def overview_view(request: HttpRequest) -> HttpResponse:
    form, period = period_from_request(request.GET)
    sites = list(dashboard_sites(request.user, DASHBOARD_ROLES))
    scope = Scope(
        tuple(s.pk for s in sites), period, reverse("dashboards:programme_cases")
    )
    found = overview_figures_serve(scope)
    figures = found.figures
    context = {
        "form": form,
        "period": period,
        "sites": [(site, figures.summaries[site.pk]) for site in sites],
        "site_rows": _site_rows(sites, figures.summaries, period),
        "end_key": period.end.isoformat(),
        "panels": figures.panels,
        "b7": figures.b7,
        "scope": scope,
        "computed_at": found.computed_at,
        "refresh_minutes": found.refresh_minutes,
        "stale_minutes": found.stale_minutes,
    }
    return render(request, "dashboards/overview.html", context)


@role_required(DASHBOARD_ROLES)
def site_dashboard_view(request: HttpRequest, site_code: str) -> HttpResponse:
    site = get_visible_or_404(Site, request.user, DASHBOARD_ROLES, code=site_code)
    form, period = period_from_request(request.GET)
    scope = Scope(
        (site.pk,), period, reverse("dashboards:site_cases", args=[site.code])
    )
    context = {
        "site": site,
        "form": form,
        "period": period,
        "panels": dashboard_panels(scope, site=site),
        "b7": b7.b7_tables(scope, **b7_names(site)),
        "scope": scope,
    }
    return render(request, "dashboards/site_dashboard.html", context)


def _case_list(request: HttpRequest, scope: Scope, site: Site | None) -> HttpResponse:
    metric = request.GET.get("metric", "")
    key = request.GET.get("key", "")
    counted = rows_behind(scope, metric, key) if metric else None
    page, named = (None, set())
    if counted is not None:
        page, named = case_list_page(
            request.user, counted.rows, counted.person, request.GET.get("page")
        )
    # a researcher sees pseudonyms only: no name column at all
    named_sites = site_ids_for(request.user, CASE_READ_ROLES)
    context = {
        "site": site,
        "metric": metric,
        "key": key,
        "description": describe(scope, metric, key, b7_names(site)) if metric else "",
        "show_names": bool(named_sites & set(scope.site_ids)),
        "known": counted is not None,
        "page": page,
        "named": named,
        "period": scope.period,
        "query": scope.period.query(metric=metric, key=key),
    }
    return render(request, "dashboards/case_list.html", context)


@role_required(CASE_LIST_ROLES)
def site_cases_view(request: HttpRequest, site_code: str) -> HttpResponse:
    site = get_visible_or_404(Site, request.user, CASE_LIST_ROLES, code=site_code)
    _form, period = period_from_request(request.GET)
    return _case_list(request, Scope((site.pk,), period), site)


@role_required(CASE_LIST_ROLES)
def programme_cases_view(request: HttpRequest) -> HttpResponse:
    _form, period = period_from_request(request.GET)
    site_ids = tuple(s.pk for s in dashboard_sites(request.user, CASE_LIST_ROLES))
    return _case_list(request, Scope(site_ids, period), None)

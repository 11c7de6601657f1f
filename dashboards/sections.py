"""Blocks the dashboards app adds to shared pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from core.models import Site
from core.periods import Period
from core.registry import Section
from core.scoping import DASHBOARD_ROLES, RESEARCH_ROLES, Role, site_ids_for
from dashboards.models import ExportJob
from dashboards.selectors.access import dashboard_sites
from dashboards.selectors.home import sites_at_a_glance

#: export jobs listed on a researcher's home page
RECENT_EXPORTS = 5


def site_dashboard_link(request: HttpRequest, site: Site) -> Section | None:
    if site.pk not in site_ids_for(request.user, DASHBOARD_ROLES):
        return None
    return Section("dashboards/partials/_site_link.html", {"site": site}, order=10)


def home_site_glance(request: HttpRequest, obj: Any = None) -> Section | None:
    """A project leader's sites: key numbers of the last twelve months."""
    roles = frozenset({Role.PROJECT_LEADER})
    sites = list(dashboard_sites(request.user, roles))
    if not sites:
        return None
    period = Period.default()
    return Section(
        "dashboards/partials/_home_glance.html",
        {"rows": sites_at_a_glance(sites, period), "period": period},
        order=5,
    )


def home_datasets(request: HttpRequest, obj: Any = None) -> Section | None:
    """A researcher's way into the data: exports and measurement pages."""
    sites = list(dashboard_sites(request.user, RESEARCH_ROLES))
    if not sites:
        return None
    jobs = (
        ExportJob.objects.visible_to(request.user, RESEARCH_ROLES)
        .filter(created_by=request.user)
        .order_by("-created_at", "-pk")[:RECENT_EXPORTS]
    )
    return Section(
        "dashboards/partials/_home_datasets.html",
        {"sites": sites, "jobs": list(jobs)},
        order=6,
    )

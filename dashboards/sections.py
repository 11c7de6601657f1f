"""Blocks the dashboards app adds to shared pages."""

from __future__ import annotations

from django.http import HttpRequest

from core.models import Site
from core.registry import Section
from core.scoping import DASHBOARD_ROLES, site_ids_for


def site_dashboard_link(request: HttpRequest, site: Site) -> Section | None:
    if site.pk not in site_ids_for(request.user, DASHBOARD_ROLES):
        return None
    return Section("dashboards/partials/_site_link.html", {"site": site}, order=10)

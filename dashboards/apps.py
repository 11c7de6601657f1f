from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.registry import Periodic
from core.scoping import DASHBOARD_ROLES, RESEARCH_ROLES


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Dashboards and research exports")
    nav_items = [
        ("dashboards:overview", _("Dashboards"), DASHBOARD_ROLES),
        ("dashboards:export_list", _("Research exports"), RESEARCH_ROLES),
    ]
    site_sections = ["dashboards.sections.site_dashboard_link"]
    home_sections = [
        "dashboards.sections.home_site_glance",
        "dashboards.sections.home_datasets",
    ]
    periodic_tasks = [
        Periodic(
            "programme overview figures",
            "dashboards.tasks.overview_figures_refresh",
            "minutes",
            1,
        )
    ]

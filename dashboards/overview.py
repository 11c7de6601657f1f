"""The programme overview's figures: one computation, served live or materialised."""

from __future__ import annotations

from dataclasses import dataclass

from core.models import Site
from dashboards import b7
from dashboards.b7.results import B7Result
from dashboards.charts import Panel
from dashboards.panels import dashboard_panels
from dashboards.scope import Scope
from dashboards.selectors.flow import SiteSummary, site_summaries


def b7_names(site: Site | None) -> dict[str, str]:
    """How Bijlage 7 labels call the programme and the plan on a page."""
    if site is None:
        return {"programme": "de KV's", "plan": "individuele plan"}
    return {
        "programme": site.alias or site.name,
        "plan": site.individual_plan_name or "individuele plan",
    }


@dataclass
class OverviewFigures:
    """Everything the overview shows that depends on the data: numbers,
    labels and links, never who is behind them (see ``B7Result.without_people``)."""

    summaries: dict[int, SiteSummary]
    panels: list[Panel]
    b7: B7Result


def overview_figures(scope: Scope) -> OverviewFigures:
    """Computed across every site of the scope (about half a second for a
    hundred sites and a year: ``bench/``)."""
    return OverviewFigures(
        summaries=site_summaries(scope),
        panels=dashboard_panels(scope),
        b7=b7.b7_tables(scope, **b7_names(None)).without_people(),
    )

"""Key numbers for the home page: a project leader's sites at a glance."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from core.models import Site
from core.periods import Period
from dashboards.scope import Scope
from dashboards.selectors import flow, intake, outcomes
from intake.models import IntakeOutcome


@dataclass
class SiteGlance:
    site: Site
    opened: int = 0
    open_cases: int = 0
    placed: int = 0
    present: int = 0
    capacity: int = 0
    measurements_due: int = 0


def sites_at_a_glance(sites: list[Site], period: Period) -> list[SiteGlance]:
    """Per site the home page's key numbers, with grouped queries over all sites.

    The query count does not depend on the number of sites or cases.
    """
    scope = Scope(tuple(site.pk for site in sites), period)
    found = {site.pk: SiteGlance(site) for site in sites}
    if not found:
        return []
    for site_id, outcome, count in (
        intake.cases_in(scope)
        .order_by()
        .values_list("site_id", "outcome")
        .annotate(n=Count("id"))
    ):
        found[site_id].opened += count
        if outcome == IntakeOutcome.OPEN:
            found[site_id].open_cases += count
    for site_id, summary in flow.site_summaries(scope).items():
        glance = found[site_id]
        glance.placed = summary.inflow
        glance.present = summary.present_at_end
        glance.capacity = summary.capacity_at_end
    for site_id, count in (
        outcomes.measurements_in(scope)
        .filter(status__in=outcomes.OPEN_MEASUREMENT_STATUSES)
        .order_by()
        .values_list("stay__site_id")
        .annotate(n=Count("id"))
    ):
        found[site_id].measurements_due = count
    return [found[site.pk] for site in sites]

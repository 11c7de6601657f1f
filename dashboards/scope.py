"""What a dashboard looks at: a set of sites and a period."""

from __future__ import annotations

from dataclasses import dataclass

from dashboards.periods import Period


@dataclass(frozen=True)
class Scope:
    """Sites and period of one dashboard, case list or export.

    ``site_ids`` are already checked against the user's memberships by the
    view; selectors only filter by them.
    """

    site_ids: tuple[int, ...]
    period: Period
    #: the case-list URL numbers link to (without query string)
    cases_url: str = ""

    def link(self, metric: str, key: object = "") -> str:
        if not self.cases_url:
            return ""
        return f"{self.cases_url}?{self.period.query(metric=metric, key=str(key))}"

"""What a dashboard looks at: a set of sites and a period."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from core.periods import Period


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
    _base: str = field(default="", init=False, repr=False, compare=False)

    def link(self, metric: str, key: object = "") -> str:
        """The case list of one number; built for hundreds of cells per page."""
        if not self.cases_url:
            return ""
        if not self._base:
            object.__setattr__(self, "_base", f"{self.cases_url}?{self.period.query()}")
        return f"{self._base}&metric={quote(metric)}&key={quote(str(key))}"

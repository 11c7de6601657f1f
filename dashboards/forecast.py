"""Expected against realised inflow: the project plan's forecast
(``steering``) next to the dashboard's own numbers, month by month.

The realised figures come from the dashboard selectors, never counted here:
candidates are the intake cases opened and intake cases those that reached
an assessment stage, both from ``intake.reach_by_site_and_month`` (the
funnel's ``stage_reach`` per site and month, which the funnel panel sums),
placements the inflow per site and month of
``flow.inflow_by_site_and_month`` and occupancy the mean of
``flow.occupancy_by_day`` over the month's days. A fixed number of grouped
queries serves any number of months and sites.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.models import Site
from core.periods import Period
from dashboards import charts
from dashboards.charts import Cell, DataTable, Panel, Series
from dashboards.scope import Scope
from dashboards.selectors import flow, intake
from intake.models import StageKind
from intake.selectors import StageReach
from steering import selectors as steering
from steering.models import ForecastVersion

MonthlyReach = dict[tuple[int, datetime.date], StageReach]

#: the comparison shows at most the last this many months of the period
MAX_MONTHS = 24
MEASURES = ("candidates", "intakes", "placements", "occupancy")
#: the inflow measures a warning looks at (occupancy is not inflow)
INFLOW_MEASURES = ("candidates", "intakes", "placements")
FIELDS = {
    "candidates": "candidates_per_year",
    "intakes": "intakes_per_year",
    "placements": "placements_per_year",
    "occupancy": "occupancy",
}


def _labels() -> dict[str, str]:
    return {
        "candidates": _("Candidates"),
        "intakes": _("Intake cases"),
        "placements": _("Placements"),
        "occupancy": _("Occupancy"),
    }


@dataclass
class MonthRow:
    month: datetime.date
    period: Period
    realised: dict[str, float] = field(default_factory=dict)
    expected: dict[str, float | None] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """The whole calendar month lies in the period."""
        last = self.month.replace(
            day=calendar.monthrange(self.month.year, self.month.month)[1]
        )
        return self.period.start == self.month and self.period.end == last


def _month_periods(period: Period) -> list[Period]:
    found = []
    for first in period.months()[-MAX_MONTHS:]:
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        found.append(Period(max(first, period.start), min(last, period.end)))
    return found


def _expected(
    versions: dict[int, list[ForecastVersion]], period: Period
) -> dict[str, float | None]:
    """Per measure the sites' forecast for the days of ``period`` (per-year
    figures prorated to the days; occupancy as it stands); None when no site
    has one."""
    days_in_month = calendar.monthrange(period.start.year, period.start.month)[1]
    totals: dict[str, float | None] = dict.fromkeys(MEASURES)
    for site_versions in versions.values():
        version = steering.forecast_on(site_versions, period.start)
        if version is None:
            continue
        for measure in MEASURES:
            value = getattr(version, FIELDS[measure], None)
            if value is None:
                continue
            if measure != "occupancy":
                value = value / 12 * period.days / days_in_month
            totals[measure] = (totals[measure] or 0) + value
    return totals


@dataclass
class Realised:
    """What the dashboards counted, per month and site: the cases opened and
    those that reached an assessment (``intake.reach_by_site_and_month``,
    the funnel's own count) and the placements
    (``flow.inflow_by_site_and_month``)."""

    candidates: dict[datetime.date, dict[int, int]]
    intakes: dict[datetime.date, dict[int, int]]
    placements: dict[datetime.date, dict[int, int]]
    #: people in the KV per day, all the scope's sites together
    occupancy: list[flow.DayOccupancy]


def _realised(
    scope: Scope,
    whole: Period,
    monthly_reach: MonthlyReach | None,
    occupancy: list[flow.DayOccupancy] | None = None,
) -> Realised:
    """Every realised figure of the comparison, for all months and sites at
    once: a fixed number of grouped queries, however many months and sites.
    ``monthly_reach`` is ``intake.reach_by_site_and_month`` of (at least)
    these months, and ``occupancy`` ``flow.occupancy_by_day`` of the scope's
    period, when the caller read them already."""
    whole_scope = Scope(scope.site_ids, whole, scope.cases_url)
    if monthly_reach is None:
        monthly_reach = intake.reach_by_site_and_month(whole_scope)
    candidates: dict[datetime.date, dict[int, int]] = defaultdict(dict)
    intakes: dict[datetime.date, dict[int, int]] = defaultdict(dict)
    for (site_id, month), found in monthly_reach.items():
        candidates[month][site_id] = found.cases
        intakes[month][site_id] = found.by_kind.get(StageKind.ASSESSMENT, 0)
    placements: dict[datetime.date, dict[int, int]] = defaultdict(dict)
    for (site_id, month), count in flow.inflow_by_site_and_month(whole_scope).items():
        placements[month][site_id] = count
    return Realised(
        candidates=candidates,
        intakes=intakes,
        placements=placements,
        # a day's occupancy does not depend on the period it is read for
        occupancy=flow.occupancy_by_day(whole_scope)
        if occupancy is None
        else [d for d in occupancy if whole.start <= d.day <= whole.end],
    )


def _rows_for(
    scope: Scope,
    periods: list[Period],
    realised: Realised,
    versions: dict[int, list[ForecastVersion]],
    site_ids: tuple[int, ...],
    *,
    occupancy: bool,
) -> list[MonthRow]:
    """Expected and realised per month for ``site_ids`` (no queries); the
    occupancy, and the links to the case lists, are there for the whole
    scope only (a site's rows only decide its warnings)."""
    site_versions = {site_id: versions.get(site_id, []) for site_id in site_ids}

    def total(counts: dict[datetime.date, dict[int, int]], month: datetime.date) -> int:
        in_month = counts.get(month, {})
        return sum(in_month.get(site_id, 0) for site_id in site_ids)

    rows = []
    for period in periods:
        month = period.start.replace(day=1)
        row = MonthRow(month, period)
        row.realised = {
            "candidates": total(realised.candidates, month),
            "intakes": total(realised.intakes, month),
            "placements": total(realised.placements, month),
        }
        if occupancy:
            days = [
                d.total
                for d in realised.occupancy
                if period.start <= d.day <= period.end
            ]
            row.realised["occupancy"] = round(sum(days) / len(days), 1) if days else 0
        row.expected = _expected(site_versions, period)
        if occupancy:
            month_scope = Scope(scope.site_ids, period, scope.cases_url)
            row.links = {
                "candidates": month_scope.link("intake"),
                "intakes": month_scope.link("stage_kind", StageKind.ASSESSMENT),
                "placements": month_scope.link("inflow", month.strftime("%Y-%m")),
                "occupancy": "",
            }
        rows.append(row)
    return rows


def month_rows(scope: Scope) -> list[MonthRow]:
    """Expected and realised per month for the scope's sites."""
    return _panel_rows(scope, steering.forecast_versions(scope.site_ids))[0]


def _panel_rows(
    scope: Scope,
    versions: dict[int, list[ForecastVersion]],
    monthly_reach: MonthlyReach | None = None,
    occupancy: list[flow.DayOccupancy] | None = None,
) -> tuple[list[MonthRow], Realised | None, list[Period]]:
    periods = _month_periods(scope.period)
    if not periods:
        return [], None, periods
    whole = Period(periods[0].start, periods[-1].end)
    realised = _realised(scope, whole, monthly_reach, occupancy)
    rows = _rows_for(scope, periods, realised, versions, scope.site_ids, occupancy=True)
    return rows, realised, periods


def warnings_for(rows: list[MonthRow], rule: steering.AlertRule) -> list[str]:
    """A sentence per inflow measure that stayed below the rule's share of
    the forecast in each of the last ``rule.months`` whole months."""
    whole = [row for row in rows if row.complete][-rule.months :]
    if len(whole) < rule.months:
        return []
    found = []
    labels = _labels()
    for measure in INFLOW_MEASURES:
        expected = [row.expected[measure] for row in whole]
        if any(not value for value in expected):
            continue
        realised = [row.realised[measure] for row in whole]
        if all(
            r < rule.share_percent / 100 * e
            for r, e in zip(realised, expected, strict=True)
        ):
            found.append(
                _(
                    "%(measure)s stayed below %(share)s%% of the forecast for "
                    "the last %(months)s months: realised %(realised)s against "
                    "%(expected)s expected per month."
                )
                % {
                    "measure": labels[measure],
                    "share": rule.share_percent,
                    "months": rule.months,
                    "realised": ", ".join(f"{r:g}" for r in realised),
                    "expected": f"{expected[-1]:.1f}",
                }
            )
    return found


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def forecast_panel(
    scope: Scope,
    *,
    site: Site | None = None,
    monthly_reach: MonthlyReach | None = None,
    occupancy: list[flow.DayOccupancy] | None = None,
) -> Panel:
    """Expected against realised per month, with the warnings that apply.

    On the programme overview the forecasts of the sites are added up and a
    warning names its site (each site judged by its own rule).
    ``monthly_reach`` and ``occupancy`` (of the scope's period) save their
    queries when the dashboard read them already.
    """
    versions = steering.forecast_versions(scope.site_ids)
    rows, realised, periods = _panel_rows(scope, versions, monthly_reach, occupancy)
    labels = _labels()
    headers = [_("Month")]
    for measure in MEASURES:
        headers += [
            _("%(measure)s expected") % {"measure": labels[measure]},
            _("%(measure)s realised") % {"measure": labels[measure]},
        ]
    table = DataTable(
        _("Forecast from the project plan against realised, per month"), headers
    )
    for row in rows:
        cells = [Cell(date_format(row.month, "M Y"), numeric=False)]
        for measure in MEASURES:
            cells.append(Cell(_fmt(row.expected[measure])))
            cells.append(Cell(row.realised[measure], row.links[measure]))
        table.rows.append(cells)
    warnings = _warnings(scope, rows, site, versions, realised, periods)
    has_forecast = any(v is not None for row in rows for v in row.expected.values())
    note = _(
        "Candidates: intake cases opened; intake cases: cases that reached an "
        "assessment; occupancy: average number of people in the KV."
    )
    if not has_forecast:
        note = _(
            "No forecast is recorded for the months shown; the project leader "
            "enters it under Target-group forecast."
        )
    svg = charts.columns_svg(
        [date_format(row.month, "M y") for row in rows],
        [
            Series(
                _("placements expected"),
                [row.expected["placements"] or 0 for row in rows],
            ),
            Series(
                _("placements realised"), [row.realised["placements"] for row in rows]
            ),
            Series(
                _("candidates realised"), [row.realised["candidates"] for row in rows]
            ),
        ],
        table.caption,
    )
    return Panel(
        "forecast",
        _("Forecast against realised"),
        table,
        svg,
        note=note,
        empty=not rows,
        wide=True,
        warnings=warnings,
    )


def _warnings(
    scope: Scope,
    rows: list[MonthRow],
    site: Site | None,
    versions: dict[int, list[ForecastVersion]],
    realised: Realised | None,
    periods: list[Period],
) -> list[str]:
    rules = steering.alert_rules(scope.site_ids)
    if site is not None:
        return warnings_for(rows, rules[site.pk])
    if realised is None or not any(versions.values()):
        return []
    found = []
    names = dict(Site.objects.filter(pk__in=scope.site_ids).values_list("pk", "name"))
    for site_id, site_versions in versions.items():
        if not site_versions:
            continue
        # each site judged by its own rule on its own counts, read above
        site_rows = _rows_for(
            scope, periods, realised, versions, (site_id,), occupancy=False
        )
        for text in warnings_for(site_rows, rules[site_id]):
            found.append(f"{names.get(site_id, '')}: {text}")
    return found

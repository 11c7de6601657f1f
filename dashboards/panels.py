"""Dashboard panels: each selector's numbers as a chart plus its table.

Every number in a table links to the case list for the same scope (see
``dashboards.metrics``), so the table is both the accessible version of the
chart and the way into the cases.
"""

from __future__ import annotations

import datetime

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.models import Site
from dashboards import charts
from dashboards.charts import Cell, DataTable, Panel, Series
from dashboards.forecast import forecast_panel
from dashboards.scope import Scope
from dashboards.selectors import flow, intake, outcomes
from evaluation.models import MissingReason, Moment
from trajectories import selectors as trajectory_selectors
from trajectories.models import WorkRule, WorkRuleKind


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:g}%"


#: at most this many of the sites' stage names are listed per kind
NAMES_PER_KIND = 6


def _kind_label(label: str, names: list[str]) -> str:
    shown = ", ".join(names[:NAMES_PER_KIND])
    if len(names) > NAMES_PER_KIND:
        shown += ", …"
    return _("%(kind)s (at the sites: %(names)s)") % {"kind": label, "names": shown}


def funnel_panel(
    scope: Scope,
    found: intake.Funnel,
    *,
    by_kind: bool,
    names: dict[str, list[str]] | None = None,
) -> Panel:
    metric = "stage_kind" if by_kind else "stage"
    names = names or {}
    table = DataTable(
        _("Intake funnel: cases opened in the period"),
        [
            _("Stage"),
            _("Cases that reached it"),
            _("Passed"),
            _("Share of opened"),
        ],
    )
    table.rows.append(
        [
            Cell(_("Opened"), numeric=False),
            Cell(found.opened, scope.link("intake")),
            Cell(""),
            Cell("100%" if found.opened else "-"),
        ]
    )
    for stage in found.stages:
        share = round(100 * stage.reached / found.opened, 1) if found.opened else None
        label = stage.label
        if by_kind and names.get(stage.key):
            label = _kind_label(stage.label, names[stage.key])
        table.rows.append(
            [
                Cell(label, numeric=False),
                Cell(stage.reached, scope.link(metric, stage.key)),
                Cell(stage.passed, scope.link(metric, f"{stage.key}:passed")),
                Cell(_pct(share)),
            ]
        )
    table.rows.append(
        [
            Cell(_("Of these: placed"), numeric=False),
            Cell(found.placed, scope.link("intake", "placed")),
            Cell(""),
            Cell(_pct(found.conversion)),
        ]
    )
    labels = [_("Opened"), *(s.label for s in found.stages), _("Of these: placed")]
    values = [found.opened, *(s.reached for s in found.stages), found.placed]
    svg = charts.hbar_svg(labels, [Series(_("cases"), values)], table.caption)
    note = _("Conversion %(pct)s") % {"pct": _pct(found.conversion)}
    if by_kind:
        explained = _(
            "The sites' intake stages differ, so stages are grouped by what "
            "they do; the table names each kind's stages at the sites, and "
            "every site's dashboard shows its own stages."
        )
        note = f"{note}. {explained}"
    return Panel(
        "funnel",
        _("Intake funnel"),
        table,
        svg,
        note=note,
        empty=not found.opened,
    )


def intake_end_panel(scope: Scope, found: intake.Funnel) -> Panel:
    table = DataTable(
        _("How the intake cases opened in the period ended"),
        [_("Outcome or reason"), _("Cases")],
    )
    for value, label, count in found.outcomes:
        table.rows.append(
            [Cell(label, numeric=False), Cell(count, scope.link("intake", value))]
        )
    for value, label, count in found.end_reasons:
        table.rows.append(
            [
                Cell(_("reason: %(reason)s") % {"reason": label}, numeric=False),
                Cell(count, scope.link("end_reason", value)),
            ]
        )
    svg = charts.hbar_svg(
        [label for _v, label, _c in found.outcomes],
        [Series(_("cases"), [c for _v, _l, c in found.outcomes])],
        table.caption,
    )
    empty = not any(c for _v, _l, c in found.outcomes) and not found.end_reasons
    return Panel(
        "intake-end", _("Intake outcomes and end reasons"), table, svg, empty=empty
    )


def flow_panel(scope: Scope) -> Panel:
    months = flow.flow_by_month(scope)
    table = DataTable(
        _("Inflow and outflow per month"),
        [
            _("Month"),
            _("Inflow participants"),
            _("Inflow non-participants"),
            _("Outflow"),
        ],
    )
    for row in months:
        key = row.month.strftime("%Y-%m")
        table.rows.append(
            [
                Cell(date_format(row.month, "M Y"), numeric=False),
                Cell(row.inflow_participants, scope.link("inflow_participants", key)),
                Cell(row.inflow_others, scope.link("inflow_others", key)),
                Cell(row.outflow, scope.link("outflow", key)),
            ]
        )
    svg = charts.columns_svg(
        [date_format(row.month, "M y") for row in months],
        [
            Series(_("inflow participants"), [r.inflow_participants for r in months]),
            Series(_("inflow non-participants"), [r.inflow_others for r in months]),
            Series(_("outflow"), [r.outflow for r in months]),
        ],
        table.caption,
    )
    empty = not any(
        r.inflow_participants or r.inflow_others or r.outflow for r in months
    )
    return Panel("flow", _("Inflow and outflow"), table, svg, empty=empty)


def _day_labels(days: list[datetime.date]) -> tuple[list[str], list[str]]:
    """Long and short labels per day, with month names looked up once.

    ``date_format`` costs about 50 microseconds a call; a year of days would
    spend a noticeable part of the dashboard's time on it.
    """
    months = {m: date_format(datetime.date(2000, m, 1), "M") for m in range(1, 13)}
    long = [f"{d.day} {months[d.month]} {d.year}" for d in days]
    short = [f"{d.day} {months[d.month]}" for d in days]
    return long, short


def occupancy_panel(scope: Scope, days: list[flow.DayOccupancy] | None = None) -> Panel:
    """``days``: ``flow.occupancy_by_day(scope)`` when the caller read it."""
    if days is None:
        days = flow.occupancy_by_day(scope)
    long_labels, short_labels = _day_labels([d.day for d in days])
    table = DataTable(
        _("Occupancy per day against capacity"),
        [
            _("Day"),
            _("Participants"),
            _("Non-participants"),
            _("Total"),
            _("Capacity"),
            _("Occupancy rate"),
        ],
    )
    for day, label in zip(days, long_labels, strict=True):
        key = day.day.isoformat()
        rate = round(100 * day.total / day.capacity, 1) if day.capacity else None
        table.rows.append(
            [
                Cell(label, numeric=False),
                Cell(day.participants, scope.link("occupancy", f"{key}:participants")),
                Cell(day.others, scope.link("occupancy", f"{key}:others")),
                Cell(day.total, scope.link("occupancy", key)),
                Cell(day.capacity),
                Cell(_pct(rate)),
            ]
        )
    svg = charts.timeline_svg(
        short_labels,
        [
            Series(_("participants"), [d.participants for d in days]),
            Series(_("non-participants"), [d.others for d in days]),
        ],
        Series(_("capacity"), [d.capacity for d in days]),
        table.caption,
    )
    average = sum(d.total for d in days) / len(days) if days else 0
    note = _("Average occupancy %(average)s") % {"average": f"{average:.1f}"}
    empty = not any(d.total or d.capacity for d in days)
    return Panel("occupancy", _("Occupancy"), table, svg, note=note, empty=empty)


def length_panel(scope: Scope) -> Panel:
    found = flow.length_of_stay_by_phase(scope)
    table = DataTable(
        _("Length of stay per phase in days (phases ended in the period)"),
        [_("Phase"), _("Periods"), _("Median"), _("Shortest"), _("Longest")],
    )
    for row in found:
        label = _length_label(row)
        table.rows.append(
            [
                Cell(label, numeric=False),
                Cell(row.count, scope.link("length", row.key)),
                Cell(f"{row.median:g}"),
                Cell(row.minimum),
                Cell(row.maximum),
            ]
        )
    svg = charts.range_svg(
        [_length_label(row) for row in found],
        [(row.minimum, row.median, row.maximum) for row in found],
        table.caption,
    )
    empty = not any(row.count for row in found)
    return Panel("length", _("Length of stay per phase"), table, svg, empty=empty)


def _length_label(row: flow.LengthStats) -> str:
    if row.label:
        return row.label
    return _("Whole stay") if row.key == flow.WHOLE_STAY else _("Without phase")


def exits_panel(scope: Scope) -> Panel:
    found = flow.exits_by_type(scope)
    table = DataTable(
        _("Outflow by type and returns to the PI"), [_("Type"), _("Number")]
    )
    for row in found:
        table.rows.append(
            [
                Cell(row.label, numeric=False),
                Cell(row.count, scope.link("exit", row.key)),
            ]
        )
    svg = charts.hbar_svg(
        [row.label for row in found],
        [Series(_("stays"), [row.count for row in found])],
        table.caption,
    )
    empty = not any(row.count for row in found)
    return Panel("exits", _("Exits and returns to the PI"), table, svg, empty=empty)


def completeness_panel(scope: Scope) -> Panel:
    found = outcomes.completeness_by_moment(scope)
    reasons = list(MissingReason.choices)
    table = DataTable(
        _("Measurements due in the period, per moment"),
        [
            _("Moment"),
            _("Planned"),
            _("Complete"),
            _("Cancelled"),
            _("Complete (%)"),
            _("Answers"),
            *[str(label) for _value, label in reasons],
        ],
    )
    for row in found:
        table.rows.append(
            [
                Cell(row.moment, numeric=False),
                Cell(row.planned, scope.link("completeness", row.moment)),
                Cell(
                    row.complete, scope.link("completeness", f"{row.moment}:complete")
                ),
                Cell(
                    row.cancelled, scope.link("completeness", f"{row.moment}:cancelled")
                ),
                Cell(_pct(row.percent_complete)),
                Cell(row.answers),
                *[
                    Cell(
                        row.missing.get(value, 0),
                        scope.link("completeness", f"{row.moment}:{value}"),
                    )
                    for value, _label in reasons
                ],
            ]
        )
    svg = charts.hbar_svg(
        [row.moment for row in found],
        [
            Series(_("planned"), [row.planned for row in found]),
            Series(_("complete"), [row.complete for row in found]),
        ],
        table.caption,
    )
    return Panel(
        "completeness",
        _("Measurement completeness"),
        table,
        svg,
        empty=not any(row.planned for row in found),
        wide=True,
    )


def factors_panel(scope: Scope) -> Panel:
    found = outcomes.factor_change(scope)
    moments = outcomes.FACTOR_MOMENTS
    table = DataTable(
        _(
            "Mean score (1 very negative - 5 very positive) per protective factor, "
            "stays with outflow in the period"
        ),
        [
            _("Protective factor"),
            *[str(m) for m in moments],
            _("Change to eindmeting"),
            _("Change to nameting"),
        ],
    )
    for row in found:
        table.rows.append(
            [
                Cell(row.name, numeric=False),
                *[
                    Cell(
                        "-"
                        if row.means[m] is None
                        else f"{row.means[m]:g} (n={row.counts[m]})",
                        scope.link("factor", f"{row.code}:{m}")
                        if row.counts[m]
                        else "",
                    )
                    for m in moments
                ],
                Cell(_signed(row.change(Moment.EINDMETING))),
                Cell(_signed(row.change(Moment.NAMETING))),
            ]
        )
    svg = charts.hbar_svg(
        [row.name for row in found],
        [Series(str(m), [row.means[m] or 0 for row in found]) for m in moments],
        table.caption,
    )
    return Panel(
        "factors",
        _("Change on the protective factors"),
        table,
        svg,
        empty=not any(row.counts[m] for row in found for m in moments),
        wide=True,
    )


def work_rules_panel(scope: Scope) -> Panel:
    """Jobs during a stay in the period and those against the site's work
    rules (counted by ``trajectories.selectors.work_rule_breaches``, like
    the casemanager's worklist)."""
    jobs = trajectory_selectors.jobs_during(
        site_ids=scope.site_ids, start=scope.period.start, end=scope.period.end
    )
    breaches = trajectory_selectors.work_rule_breaches(jobs)
    table = DataTable(
        _("Jobs during a stay in the period and the site's work rules"),
        [_("Jobs"), _("Number")],
    )
    table.rows.append(
        [
            Cell(_("Jobs during a stay"), numeric=False),
            Cell(jobs.count(), scope.link("jobs")),
        ]
    )
    table.rows.append(
        [
            Cell(_("Against the work rules (saved with a reason)"), numeric=False),
            Cell(len(breaches), scope.link("work_rule_breach")),
        ]
    )
    kinds = [
        (kind, label)
        for kind, label in WorkRuleKind.choices
        if any(kind in breach.kinds for breach in breaches)
    ]
    counts = [sum(kind in b.kinds for b in breaches) for kind, _label in kinds]
    for (kind, label), count in zip(kinds, counts, strict=True):
        table.rows.append(
            [
                Cell(_("of which: %(rule)s") % {"rule": label}, numeric=False),
                Cell(count, scope.link("work_rule_breach", kind)),
            ]
        )
    svg = charts.hbar_svg(
        [str(label) for _kind, label in kinds],
        [Series(_("jobs"), counts)],
        table.caption,
    )
    return Panel(
        "work_rules",
        _("Work rules"),
        table,
        svg if breaches else "",
        empty=not breaches and not jobs.exists(),
    )


def _signed(value: float | None) -> str:
    return "-" if value is None else f"{value:+g}"


def dashboard_panels(scope: Scope, *, site: Site | None = None) -> list[Panel]:
    """All panels of one site's dashboard, or of the programme overview.

    Across sites, whose intake pipelines differ, stages are grouped by kind.
    """
    programme = site is None
    # one read of the stages reached, per site and month: the forecast's
    # months and, summed, the funnel of the whole period
    monthly = intake.reach_by_site_and_month(scope)
    reach = intake.merged_reach(monthly.values())
    found = (
        intake.funnel(scope, reach) if programme else intake.site_funnel(scope, reach)
    )
    # read once for the occupancy panel and the forecast's months
    occupancy = flow.occupancy_by_day(scope)
    return [
        forecast_panel(scope, site=site, monthly_reach=monthly, occupancy=occupancy),
        funnel_panel(
            scope,
            found,
            by_kind=programme,
            names=intake.stage_names_by_kind(scope) if programme else None,
        ),
        intake_end_panel(scope, found),
        flow_panel(scope),
        occupancy_panel(scope, occupancy),
        length_panel(scope),
        exits_panel(scope),
        completeness_panel(scope),
        factors_panel(scope),
        *(
            [work_rules_panel(scope)]
            if WorkRule.objects.filter(site_id__in=scope.site_ids).exists()
            else []
        ),
    ]

"""Every figure of a site's dashboard panels, recomputed from the research
export alone and compared with the page.

The figures are enumerated from the page: every number that links to its
case list (metric, key and period of the link) and every unlinked number
column. Each is either recomputed here from the exported sheets, by the rule
the dashboard documents, or listed in ``NOT_IN_EXPORT`` (linked) or
``UNLINKED_NOT_IN_EXPORT`` with the reason the research dataset does not
hold it. A new figure fails this test until it is
one or the other. Bijlage 7 is recomputed by ``test_export_files.recompute_b7``.
"""

from __future__ import annotations

import datetime
import html
import re
import statistics
from collections import defaultdict
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from dashboards.exports.codebook import MISSING_CODES
from dashboards.exports.datasets import (
    CONSEQUENCES,
    MOMENTS,
    OUTCOMES,
    OUTFLOW_TYPES,
    STAGE_KINDS,
    STAGE_OUTCOMES,
    STATUSES,
)
from dashboards.selectors.outcomes import protective_factors
from evaluation.models import MeasurementStatus
from intake.filters import PASSED_OUTCOMES
from intake.models import IntakeOutcome
from tests.dashboards.cohort import END, START, krimpen_cohort
from tests.dashboards.files import as_dicts, workbook_sheets
from tests.dashboards.test_export_files import recompute_b7
from tests.dashboards.test_exports import export
from tests.factories import user_with_role
from trajectories.models import Consequence

pytestmark = pytest.mark.django_db

PERIOD = {"start": START.isoformat(), "end": END.isoformat()}

#: linked figures (metric, or metric:part of the key) the research export
#: cannot reproduce, and why
NOT_IN_EXPORT = {
    "completeness:planned": "the export holds taken measurements only: planned, "
    "cancelled and never-taken ones are no rows (issue 13, item 3)",
    "completeness:cancelled": "cancelled and never-taken measurements are "
    "deliberately left out of every sheet (issue 13, item 3)",
}

#: number columns without a link (msgid of the header; a forecast header
#: by its measure's msgid and "expected"), the export cannot reproduce, and why
UNLINKED_NOT_IN_EXPORT = {
    ("forecast", "expected"): "the project plan's forecast (steering) is "
    "KV-level planning, not research data, and is not exported",
    ("occupancy", "Capacity"): "realised capacity per place type and day is "
    "not exported; kv_registratie has the places on the last day only",
    ("occupancy", "Occupancy rate"): "needs the capacity per day",
    ("completeness", "Complete (%)"): "needs the cancelled measurements "
    "(see completeness:cancelled)",
    ("completeness", "Answers"): "an answered free-text item is not exported, "
    "not even as a flag (the text may name people)",
}
#: panels whose unlinked cells are compared elsewhere
UNLINKED_ELSEWHERE = {"b7": "test_export_files compares the rows of Bijlage 7"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _day(value: Any) -> datetime.date | None:
    return value.date() if isinstance(value, datetime.datetime) else value


def _dated(rows: list[dict], *names: str) -> list[dict]:
    for row in rows:
        for name in names:
            row[name] = _day(row[name])
    return rows


class Export:
    """The sheets of one xlsx export, with the dashboard's rules applied to
    them; nothing here reads the database."""

    def __init__(self, content: bytes) -> None:
        sheets = workbook_sheets(content)
        self.b7 = recompute_b7(sheets)
        self.stays = _dated(as_dicts(sheets["verblijven"]), "placed_on", "ended_on")
        self.phases = _dated(
            as_dicts(sheets["verblijf_fasen"]), "started_on", "ended_on"
        )
        self.incidents = _dated(as_dicts(sheets["incidenten"]), "occurred_on")
        self.cases = _dated(as_dicts(sheets["intake"]), "opened_on")
        self.stages = as_dicts(sheets["intake_stappen"])
        self.measurements = _dated(as_dicts(sheets["personen_lang"]), "due_on")
        self.codebook = as_dicts(sheets["codebook"])
        self.labels = as_dicts(sheets["waardelabels"])

    # inflow, outflow, occupancy, length of stay, exits
    def placed(self, start, end, participant=None) -> int:
        return sum(
            start <= s["placed_on"] <= end
            and (participant is None or s["participant"] == participant)
            for s in self.stays
        )

    def ended(self, start, end) -> list[dict]:
        return [
            s for s in self.stays if s["ended_on"] and start <= s["ended_on"] <= end
        ]

    def present(self, day, participant=None) -> int:
        """In the KV from the placement day up to, not including, outflow."""
        return sum(
            s["placed_on"] <= day
            and (s["ended_on"] is None or s["ended_on"] > day)
            and (participant is None or s["participant"] == participant)
            for s in self.stays
        )

    def phase_days(self, start, end) -> dict[str, list[int]]:
        """Days per stay in each phase left in the period: a stay's periods
        in one phase add up, and end at the outflow at the latest."""
        stay_end = {s["stay_code"]: s["ended_on"] for s in self.stays}
        entries: dict[tuple[str, str], list] = {}
        for row in sorted(self.phases, key=lambda r: (r["stay_code"], r["started_on"])):
            if row["started_on"] > end:
                continue
            ended, last = row["ended_on"], stay_end[row["stay_code"]]
            if last is not None and (ended is None or ended > last):
                ended = last
            entry = entries.setdefault(
                (row["stay_code"], row["phase"] or ""), [0, None]
            )
            entry[0] += ((ended or end) - row["started_on"]).days
            entry[1] = ended
        found: dict[str, list[int]] = defaultdict(list)
        for (_stay, phase), (days, last) in entries.items():
            if last is not None and start <= last <= end:
                found[phase].append(days)
        return found

    def length(self, start, end, key) -> list[int]:
        if key == "stay":
            return [
                (s["ended_on"] - s["placed_on"]).days for s in self.ended(start, end)
            ]
        return self.phase_days(start, end).get(key, [])

    # intake
    def opened(self, start, end) -> list[dict]:
        return [c for c in self.cases if start <= c["opened_on"] <= end]

    def reaching(self, cases, column, value) -> int:
        """Cases that got at least as far as the first stage with ``value``:
        an event at its place in the process or later, or placed."""
        orders = [s["stage_order"] for s in self.stages if s[column] == value]
        first = min(orders) if orders else None
        furthest: dict[str, int] = {}
        for s in self.stages:
            furthest[s["case_code"]] = max(
                furthest.get(s["case_code"], -1), s["stage_order"]
            )
        placed = OUTCOMES[IntakeOutcome.PLACED]
        return sum(
            c["outcome"] == placed
            or (first is not None and furthest.get(c["case_code"], -1) >= first)
            for c in cases
        )

    def passing(self, cases, column, value) -> int:
        passed = {STAGE_OUTCOMES[o] for o in PASSED_OUTCOMES}
        codes = {c["case_code"] for c in cases}
        return len(
            {
                s["case_code"]
                for s in self.stages
                if s[column] == value and s["outcome"] in passed
            }
            & codes
        )

    # measurements
    def due(self, start, end, moment) -> list[dict]:
        return [
            m
            for m in self.measurements
            if m["moment"] == MOMENTS[moment] and start <= m["due_on"] <= end
        ]

    def item_columns(self) -> list[str]:
        return [
            row["variabele"]
            for row in self.codebook
            if row["blad"] == "personen_lang" and row["onderwerp"]
        ]

    def factor_scores(self, start, end, code, moment) -> list[int]:
        """Scores on the five-point items of a protective factor, of the stays
        whose outflow falls in the period (scale codes are the scores)."""
        config = protective_factors()
        variables = next(f["vars"] for f in config["factors"] if f["code"] == code)
        left = {s["stay_code"] for s in self.ended(start, end)}
        return [
            m[var]
            for m in self.measurements
            if m["stay_code"] in left and m["moment"] == MOMENTS[moment]
            for var in variables
            if m.get(var) in set(config["scores"].values())
        ]


def recompute(export: Export, metric: str, key: str, start, end) -> Any:
    """The figure ``metric``/``key`` of the period from the export; the
    metrics mirror ``dashboards.metrics.METRICS``. Raises KeyError for a
    figure this test does not know (a new figure: recompute or list it)."""
    part = key.partition(":")
    if metric == "b7":
        # Bijlage 7 by the rules of test_export_files; the row's N after ":"
        return export.b7[part[0]][1 if part[2] == "n" else 0]
    if metric in ("inflow", "inflow_participants", "inflow_others", "outflow"):
        if key:
            first = datetime.date.fromisoformat(f"{key}-01")
            following = (first.replace(day=28) + datetime.timedelta(days=4)).replace(
                day=1
            )
            start = max(start, first)
            end = min(end, following - datetime.timedelta(days=1))
        if metric == "outflow":
            return len(export.ended(start, end))
        group = {"inflow_participants": 1, "inflow_others": 0}.get(metric)
        return export.placed(start, end, group)
    if metric == "occupancy":
        group = {"participants": 1, "others": 0}.get(part[2])
        return export.present(datetime.date.fromisoformat(part[0]), group)
    if metric == "exit":
        if key == "temporary_return":
            return sum(
                i["consequence"] == CONSEQUENCES[Consequence.TEMPORARY_RETURN]
                and start <= i["occurred_on"] <= end
                for i in export.incidents
            )
        return sum(
            s["outflow_type"] == OUTFLOW_TYPES[key] for s in export.ended(start, end)
        )
    if metric == "length":
        return len(export.length(start, end, key))
    if metric in ("intake", "end_reason", "stage", "stage_kind"):
        cases = export.opened(start, end)
        if metric == "intake":
            return len([c for c in cases if not key or c["outcome"] == OUTCOMES[key]])
        if metric == "end_reason":
            return sum(c[f"end_{key}"] == 1 for c in cases)
        column = "stage" if metric == "stage" else "stage_kind"
        value = part[0] if metric == "stage" else STAGE_KINDS[part[0]]
        if part[2] == "passed":
            return export.passing(cases, column, value)
        return export.reaching(cases, column, value)
    if metric == "completeness":
        rows = export.due(start, end, part[0])
        status = part[2]
        if status == MeasurementStatus.COMPLETE:
            return sum(r["status"] == STATUSES[status] for r in rows)
        if status in MISSING_CODES:
            # item columns hold the code; a date's and a free text's reason
            # are in its <name>_ontbr column
            code = MISSING_CODES[status]
            return sum(r[c] == code for r in rows for c in export.item_columns())
        raise KeyError(f"completeness:{status or 'planned'}")
    if metric == "factor":
        return len(export.factor_scores(start, end, part[0], part[2]))
    raise KeyError(metric)


LINK = re.compile(r'<a href="([^"]*)">([^<]*)</a>')
PANEL = re.compile(
    r'<section class="panel[^"]*" id="panel-([\w-]+)"(.*?)</section>', re.S
)


def _cells(text: str) -> list[str]:
    return [
        html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
        for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", text, re.S)
    ]


def panel_tables(body: str) -> dict[str, tuple[list[str], list[tuple[list[str], str]]]]:
    """Per panel: its column headers and its rows (cells as shown, and the
    row's HTML for the links)."""
    found = {}
    for key, content in PANEL.findall(body):
        head = re.search(r"<thead>(.*?)</thead>", content, re.S)
        rows = re.findall(r"<tr>(.*?)</tr>", content.split("<tbody>", 1)[-1], re.S)
        found[key] = (_cells(head.group(1)), [(_cells(r), r) for r in rows])
    return found


def linked_figures(
    body: str,
) -> list[tuple[str, str, str, datetime.date, datetime.date, str]]:
    """Every number of the panels that opens its case list: (panel, metric,
    key, start, end, value shown)."""
    figures = []
    for panel, content in PANEL.findall(body):
        for href, value in LINK.findall(content):
            query = parse_qs(
                urlsplit(html.unescape(href)).query, keep_blank_values=True
            )
            figures.append(
                (
                    panel,
                    query["metric"][0],
                    query["key"][0],
                    datetime.date.fromisoformat(query["start"][0]),
                    datetime.date.fromisoformat(query["end"][0]),
                    value,
                )
            )
    return figures


@pytest.fixture
def dashboard(client, db):
    site, _stays = krimpen_cohort()
    _job, xlsx = export(client, site, **PERIOD)
    client.force_login(user_with_role("project_leader", site))
    response = client.get(
        reverse("dashboards:site_dashboard", args=[site.code]), PERIOD
    )
    assert response.status_code == 200
    return Export(xlsx), response.content.decode()


def test_every_linked_dashboard_figure_is_recomputed_from_the_export(dashboard):
    exported, body = dashboard
    figures = linked_figures(body)
    assert len(figures) > 500  # a period of 16 months: one per day of occupancy
    recomputed, listed, mismatches = defaultdict(int), set(), []
    for panel, metric, key, start, end, shown in figures:
        try:
            value = recompute(exported, metric, key, start, end)
        except KeyError as unknown:
            name = unknown.args[0]
            assert name in NOT_IN_EXPORT, f"{panel}: {metric} {key} is new: {name}"
            listed.add(name)
            continue
        recomputed[(panel, metric)] += 1
        if metric == "factor":
            # the cell shows "mean (n=count)"; recompute both
            scores = exported.factor_scores(start, end, *key.split(":")[::2])
            value = f"{round(statistics.mean(scores), 2):g} (n={len(scores)})"
        if str(value) != shown:
            mismatches.append((panel, metric, key, shown, value))
    assert not mismatches, mismatches[:20]
    assert listed == set(NOT_IN_EXPORT), "a reason for a figure no longer shown"
    # every panel with figures of people is reached
    panels = {panel for panel, _metric in recomputed}
    assert {"forecast", "funnel", "intake-end", "flow", "occupancy"} <= panels
    assert {"length", "exits", "completeness"} <= panels
    # and the cohort makes them count something
    assert exported.placed(START, END, 1) == 4


def _header_msgids(panel: str, headers: list[str]) -> list[str]:
    """The page's column headers as their msgids (the page is Dutch)."""
    from django.utils import translation
    from django.utils.translation import gettext

    msgids = [
        "Month", "Stage", "Cases that reached it", "Passed", "Share of opened",
        "Capacity", "Occupancy rate", "Total", "Participants", "Non-participants",
        "Median", "Shortest", "Longest", "Periods", "Complete (%)", "Answers",
        "Change to eindmeting", "Change to nameting",
    ]  # fmt: skip
    with translation.override("nl"):
        known = {gettext(m): m for m in msgids}
        for measure in ("Candidates", "Intake cases", "Placements", "Occupancy"):
            for end in ("expected", "realised"):
                text = gettext(f"%(measure)s {end}") % {"measure": gettext(measure)}
                known[text] = f"{measure} {end}"
    return [known.get(header, header) for header in headers]


def _shown_mean(scores: list[int]) -> float | None:
    return round(statistics.mean(scores), 2) if scores else None


def unlinked_value(exported: Export, panel: str, header: str, row: dict) -> str:
    """An unlinked number from the export, or KeyError. ``row`` holds the
    row's linked figures by header, as (metric, key, start, end, shown)."""
    if panel == "forecast" and header == "Occupancy realised":
        start, end = next(iter(row.values()))[2:4]
        days = [
            exported.present(start + datetime.timedelta(days=n))
            for n in range((end - start).days + 1)
        ]
        return str(round(sum(days) / len(days), 1)) if days else "0"
    if panel == "forecast" and header.endswith("expected"):
        raise KeyError("expected")
    if panel == "funnel" and header == "Share of opened":
        _metric, _key, start, end, shown = row["Cases that reached it"]
        opened = len(exported.opened(start, end))
        return f"{round(100 * int(shown) / opened, 1):g}%" if opened else "-"
    if panel == "length" and header in ("Median", "Shortest", "Longest"):
        _metric, key, start, end, _shown = row["Periods"]
        days = exported.length(start, end, key)
        pick = {"Median": statistics.median, "Shortest": min, "Longest": max}
        value = pick[header](days)
        return f"{value:g}" if header == "Median" else str(value)
    if panel == "factors" and header.startswith("Change to "):
        moment = header.removeprefix("Change to ")
        start = _shown_mean(
            exported.factor_scores(START, END, row["code"], "nulmeting")
        )
        later = _shown_mean(exported.factor_scores(START, END, row["code"], moment))
        if start is None or later is None:
            return "-"
        return f"{round(later - start, 2):+g}"
    if panel == "factors":
        scores = exported.factor_scores(START, END, row["code"], header)
        return "-" if not scores else f"{_shown_mean(scores):g} (n={len(scores)})"
    raise KeyError(header)


def test_every_unlinked_dashboard_number_is_recomputed_or_explained(dashboard):
    exported, body = dashboard
    factors = {f["name"]: f["code"] for f in protective_factors()["factors"]}
    checked, listed, mismatches = defaultdict(int), set(), []
    for panel, (headers, rows) in panel_tables(body).items():
        if panel in UNLINKED_ELSEWHERE:
            continue
        msgids = _header_msgids(panel, headers)
        if panel == "factors":
            msgids[1:4] = ["nulmeting", "eindmeting", "nameting"]
        for cells, row_html in rows:
            tds = re.findall(r"<td[^>]*>(.*?)</td>", row_html, re.S)
            linked = {}
            for header, td in zip(msgids[1:], tds, strict=True):
                link = LINK.search(td)
                if link:
                    (figure,) = linked_figures(
                        f'<section class="panel" id="panel-x">{td}</section>'
                    )
                    linked[header] = figure[1:]
            if panel == "factors":
                linked["code"] = factors[cells[0]]
            for header, td, shown in zip(msgids[1:], tds, cells[1:], strict=True):
                if LINK.search(td) or shown == "":
                    continue
                if panel == "funnel" and cells[0] in ("Geopend", "Opened"):
                    continue  # 100% of the opened cases, by definition
                if panel == "funnel" and "Cases that reached it" not in linked:
                    continue
                try:
                    value = unlinked_value(exported, panel, header, linked)
                except KeyError as unknown:
                    name = (panel, unknown.args[0])
                    assert name in UNLINKED_NOT_IN_EXPORT, f"new number: {name}"
                    listed.add(name)
                    continue
                checked[(panel, header)] += 1
                if value != shown:
                    mismatches.append((panel, cells[0], header, shown, value))
    assert not mismatches, mismatches[:20]
    assert listed == set(UNLINKED_NOT_IN_EXPORT), "a reason for a number not shown"
    assert {panel for panel, _header in checked} >= {"forecast", "length", "factors"}

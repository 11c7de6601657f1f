"""Checks and data shared by the tests that hold a figure against the case
list it opens (tests/dashboards/test_one_number.py, test_materialised.py)."""

from __future__ import annotations

import datetime
import html
import re
from urllib.parse import parse_qs, urlsplit

from core.models import Site
from core.periods import Period
from dashboards.metrics import rows_behind
from dashboards.scope import Scope
from evaluation.models import Answer
from tests.factories import (
    MeasurementFactory,
    PersonFactory,
    catalogue_from_data,
    small_catalogue_data,
)
from trajectories.models import Incident, Stay

D = datetime.date
#: a link to a case list and the figure it shows ("3", or "4.5 (n=3)"); a
#: statistic over the people behind it (a mean age, ``data-statistic``) also
#: opens them, but is no count
FIGURE = re.compile(
    r'<a (data-statistic )?href="([^"]*/cases/\?[^"]*metric=[^"]*)">([^<]*)</a>'
)
COUNT_IN_FIGURE = re.compile(r"^\s*(\d+)\s*$|\(n=(\d+)\)")


def figures(body: str) -> list[tuple[str, int]]:
    """(case-list URL, the count the figure states) for every linked figure."""
    found = []
    for statistic, href, text in FIGURE.findall(body):
        if statistic:
            continue
        match = COUNT_IN_FIGURE.search(html.unescape(text))
        assert match, f"a linked figure that states no count: {text!r} ({href})"
        found.append((html.unescape(href), int(match.group(1) or match.group(2))))
    return found


def lines_listed(client, url: str) -> int:
    """The number of lines of the case list at ``url``, as the user sees it."""
    parts = urlsplit(url)
    params = {
        key: values[0]
        for key, values in parse_qs(parts.query, keep_blank_values=True).items()
    }
    response = client.get(parts.path, params)
    assert response.status_code == 200, url
    assert response.context["known"], url
    return response.context["page"].paginator.count


def rows_counted(url: str, site_ids: tuple[int, ...]) -> int:
    """The rows the case list at ``url`` lists, read through its selector;
    ``site_ids`` are those of the programme case list."""
    parts = urlsplit(url)
    params = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    one_site = re.search(r"/sites/([^/]+)/cases/", parts.path)
    if one_site:
        site_ids = (Site.objects.get(code=one_site.group(1)).pk,)
    period = Period(
        datetime.date.fromisoformat(params["start"]),
        datetime.date.fromisoformat(params["end"]),
    )
    scope = Scope(site_ids, period)
    return rows_behind(scope, params["metric"], params.get("key", "")).rows.count()


def assert_every_figure_opens_as_many_lines(
    client, body: str, site_ids: tuple[int, ...]
) -> set[str]:
    """Every figure against the rows behind it; per metric and page one case
    list is opened through the browser's way in (hundreds of per-day
    occupancy figures would make the test slow, and they share one view)."""
    opened: dict[str, tuple[str, int]] = {}
    for url, count in figures(body):
        assert rows_counted(url, site_ids) == count, url
        metric = parse_qs(urlsplit(url).query, keep_blank_values=True)["metric"][0]
        opened.setdefault(metric, (url, count))
    for url, count in opened.values():
        assert lines_listed(client, url) == count, url
    return set(opened)


def two_stays_of_one_person(site, place_type) -> None:
    """Someone who left in January and came back in February: counted twice."""
    person = PersonFactory(site=site)
    for placed, ended in ((D(2024, 1, 3), D(2024, 1, 25)), (D(2024, 2, 12), None)):
        Stay.objects.create(
            site=site, person=person, place_type=place_type, placed_on=placed,
            ended_on=ended, outflow_type="return_to_pi" if ended else "",
        )  # fmt: skip


def measured(stays) -> None:
    """Measurements due in the period, one with answers missing for a reason."""
    first, _second, third = stays
    catalogue = catalogue_from_data(first.site, small_catalogue_data(first.site.code))
    done = MeasurementFactory(
        stay=first, catalogue=catalogue, due_on=D(2024, 2, 1), status="complete"
    )
    MeasurementFactory(
        stay=first, catalogue=catalogue, moment="tussenmeting", due_on=D(2024, 3, 1)
    )
    MeasurementFactory(stay=third, catalogue=catalogue, due_on=D(2024, 1, 20))
    for item in catalogue.items.all()[:2]:
        Answer.objects.create(measurement=done, item=item, missing_reason="refused")
    Incident.objects.create(
        stay=third, occurred_on=D(2024, 2, 2), kind="drug_use",
        detection="urine_test", consequence="temporary_return", return_days=7,
    )  # fmt: skip

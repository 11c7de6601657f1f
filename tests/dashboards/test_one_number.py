"""One definition per number: every page shows the same figure for the same
scope and period, and every figure that opens a case list opens exactly as
many lines as it says.

The figures are found by reading the pages' links to a case list, so a new
panel, table or home block is checked without editing these tests.
"""

from __future__ import annotations

import datetime
import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Site
from core.periods import Period
from dashboards.metrics import rows_behind
from dashboards.scope import Scope
from evaluation.models import Answer
from intake.models import (
    CaseEndReason,
    IntakeCase,
    IntakeProcessVersion,
    IntakeStageDefinition,
    StageEvent,
)
from tests.dashboards.builders import (
    bijlage7_people,
    intake_round,
    site_with_three_stays,
)
from tests.factories import (
    CapacityPeriodFactory,
    MeasurementFactory,
    PersonFactory,
    PlaceTypeFactory,
    SiteFactory,
    catalogue_from_data,
    small_catalogue_data,
    user_with_role,
)
from trajectories.models import Incident, Stay

pytestmark = pytest.mark.django_db

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


@pytest.fixture
def world():
    site, stays = site_with_three_stays("almelo")
    intake_round(site, count=2)
    two_stays_of_one_person(site, stays[0].place_type)
    measured(stays)
    other, _stays = site_with_three_stays("middelburg")
    leader = user_with_role("project_leader", site, other)
    return site, other, leader


QUARTER = {"start": "2024-01-01", "end": "2024-03-31"}


def test_every_dashboard_figure_opens_a_case_list_of_that_many_lines(client, world):
    site, other, leader = world
    client.force_login(leader)
    metrics = set()
    for url, site_ids in (
        (reverse("dashboards:site_dashboard", args=[site.code]), (site.pk,)),
        (reverse("dashboards:site_dashboard", args=[other.code]), (other.pk,)),
        (reverse("dashboards:overview"), (site.pk, other.pk)),
    ):
        body = client.get(url, QUARTER).content.decode()
        metrics |= assert_every_figure_opens_as_many_lines(client, body, site_ids)
    # the enumeration reaches the panels that count people twice or records
    assert {"inflow_participants", "outflow", "occupancy", "stage", "stage_kind"} <= (
        metrics
    )
    assert {"completeness", "exit", "intake", "end_reason", "length", "inflow"} <= (
        metrics
    )


def test_bijlage7_and_work_figures_open_as_many_lines(client):
    site, _stays = bijlage7_people()
    client.force_login(user_with_role("project_leader", site))
    body = client.get(
        reverse("dashboards:site_dashboard", args=[site.code]),
        {"start": "2018-01-01", "end": "2020-12-31"},
    ).content.decode()
    metrics = assert_every_figure_opens_as_many_lines(client, body, (site.pk,))
    assert "b7" in metrics


def recent_world():
    """A site with placements, outflow, intake cases and stages in the last
    twelve months, and a stay from before them that is still open."""
    today = timezone.localdate()
    ago = lambda days: today - datetime.timedelta(days=days)  # noqa: E731
    site = SiteFactory(code="almelo")
    place_type = PlaceTypeFactory(site=site)
    CapacityPeriodFactory(place_type=place_type, places=9, valid_from=D(2015, 1, 1))
    for placed, ended in ((ago(90), ago(30)), (ago(60), None), (ago(700), None)):
        Stay.objects.create(
            site=site, person=PersonFactory(site=site), place_type=place_type,
            placed_on=placed, ended_on=ended,
            outflow_type="return_to_pi" if ended else "",
        )  # fmt: skip
    process = IntakeProcessVersion.objects.create(
        site=site, version=1, valid_from=D(2015, 1, 1), name="v1"
    )
    stages = [
        IntakeStageDefinition.objects.create(
            process=process,
            code=code,
            name=code.title(),
            order=order,
            kind=kind,
            performer_role="cm",
            performer_organisation="KV",
        )
        for order, code, kind in (
            (1, "screen", "assessment"),
            (2, "letter", "step"),
            (3, "talk", "step"),
            (4, "decide", "decision"),
        )
    ]
    # the third case skipped the letter (it runs next to the talk)
    for outcome, reached in (
        ("placed", 4),
        ("open", 1),
        ("open", 3),
        ("declined", 2),
        ("placed", 2),
    ):
        case = IntakeCase.objects.create(
            site=site, person=PersonFactory(site=site), opened_on=ago(100),
            outcome=outcome, process=process,
            closed_on=ago(50) if outcome != "open" else None,
        )  # fmt: skip
        for stage in stages[:reached]:
            if (outcome, reached, stage.code) == ("open", 3, "letter"):
                continue
            StageEvent.objects.create(
                case=case, stage=stage, occurred_on=ago(99 - stage.order),
                outcome="positive",
            )  # fmt: skip
        if outcome == "declined":
            CaseEndReason.objects.create(case=case, code="not_interested")
    # a case opened before the period and placed within it
    IntakeCase.objects.create(
        site=site, person=PersonFactory(site=site), opened_on=ago(500),
        outcome="placed", process=process, closed_on=ago(95),
    )  # fmt: skip
    return site


def test_home_dashboard_and_funnel_give_the_same_figures_for_the_default_period(
    client,
):
    site = recent_world()
    leader = user_with_role("project_leader", site)
    client.force_login(leader)
    period = Period.default()

    home = client.get(reverse("core:home"))
    (glance,) = [
        row
        for section in home.context["sections"]
        if section.template == "dashboards/partials/_home_glance.html"
        for row in section.context["rows"]
    ]
    dashboard = client.get(reverse("dashboards:site_dashboard", args=[site.code]))
    overview = client.get(reverse("dashboards:overview"))
    funnel_page = client.get(reverse("intake:funnel", args=[site.code]))
    assert dashboard.context["period"] == period
    assert overview.context["period"] == period
    assert funnel_page.context["period"] == period
    assert 'id="period-default"' in dashboard.content.decode()

    panels = {panel.key: panel for panel in dashboard.context["panels"]}
    flow_rows = panels["flow"].table.rows
    placed_in_dashboard = sum(row[1].value + row[2].value for row in flow_rows)
    ((_site, summary),) = overview.context["sites"]
    funnel = funnel_page.context["funnel"]
    dashboard_funnel = panels["funnel"].table.rows

    # "geplaatst in de KV": placements in the period
    assert glance.placed == placed_in_dashboard == summary.inflow == 2
    # "in de KV" on the last day of the period
    occupancy_today = panels["occupancy"].table.rows[-1][3].value
    assert glance.present == occupancy_today == summary.present_at_end == 2
    # intake cases opened in the period, and of these the ones placed
    assert glance.opened == dashboard_funnel[0][1].value == funnel.total == 5
    placed_cases = {o.key: o.count for o in funnel.outcomes}["placed"]
    assert dashboard_funnel[-1][1].value == placed_cases == 2

    # stages reached: the same on both funnels, and never rising
    dashboard_reached = [row[1].value for row in dashboard_funnel[1:-1]]
    page_reached = [stage.reached for stage in funnel.stages]
    assert dashboard_reached == page_reached == [5, 4, 3, 2]
    everything = [glance.opened, *page_reached, placed_cases]
    assert everything == sorted(everything, reverse=True)

"""One definition per number: every page shows the same figure for the same
scope and period, and every figure that opens a case list opens exactly as
many lines as it says.

The figures are found by reading the pages' links to a case list, so a new
panel, table or home block is checked without editing these tests.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.periods import Period
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
from tests.dashboards.one_number import (
    assert_every_figure_opens_as_many_lines,
    measured,
    two_stays_of_one_person,
)
from tests.factories import (
    CapacityPeriodFactory,
    PersonFactory,
    PlaceTypeFactory,
    SiteFactory,
    user_with_role,
)
from trajectories.models import Stay

pytestmark = pytest.mark.django_db

D = datetime.date


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

"""Dashboard numbers against hand-computed expectations, and their query counts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import Membership
from core.periods import Period
from dashboards.scope import Scope
from dashboards.selectors import flow, intake
from intake.models import EndReasonCode
from intake.selectors import funnel_for_site
from tests.dashboards.builders import intake_round, site_with_three_stays
from tests.factories import user_with_role
from trajectories.selectors import length_of_stay_by_phase, occupancy_by_day

pytestmark = pytest.mark.django_db

D = datetime.date
PERIOD = Period(D(2024, 1, 1), D(2024, 3, 31))


def test_flow_occupancy_length_and_exits_match_hand_counts():
    site, _stays = site_with_three_stays()
    scope = Scope((site.pk,), PERIOD)
    months = {m.month: m for m in flow.flow_by_month(scope)}
    assert (
        months[D(2024, 1, 1)].inflow_participants,
        months[D(2024, 1, 1)].inflow_others,
    ) == (2, 0)
    assert months[D(2024, 2, 1)].inflow_others == 1
    assert months[D(2024, 3, 1)].outflow == 2
    days = {d.day: d for d in flow.occupancy_by_day(scope)}
    assert (days[D(2024, 1, 15)].participants, days[D(2024, 1, 15)].others) == (2, 0)
    assert (days[D(2024, 2, 1)].participants, days[D(2024, 2, 1)].others) == (2, 1)
    # the outflow day itself is no longer occupied
    assert days[D(2024, 3, 5)].participants == 1
    assert days[D(2024, 3, 20)].total == 1
    assert {d.capacity for d in days.values()} == {10}
    # the same counts as the trajectories app's own (per-site) occupancy
    theirs = occupancy_by_day(site=site, start=PERIOD.start, end=PERIOD.end)
    assert [
        (row["day"], row["participants"], row["non_participants"], row["capacity"])
        for row in theirs
    ] == [(d.day, d.participants, d.others, d.capacity) for d in days.values()]
    lengths = {row.key: row for row in flow.length_of_stay_by_phase(scope)}
    assert (lengths["one"].median, lengths["one"].minimum, lengths["one"].maximum) == (
        25,
        20,
        30,
    )
    assert (lengths["two"].count, lengths["two"].median) == (2, (25 + 59) / 2)
    assert lengths[flow.WHOLE_STAY].median == (55 + 79) / 2
    # the same figures as the trajectories app's own (per-site) selector
    theirs = length_of_stay_by_phase(site=site, start=PERIOD.start, end=PERIOD.end)
    assert [
        (p["code"], p["count"], p["median_days"], p["min_days"], p["max_days"])
        for p in theirs["phases"]
    ] == [
        (r.key, r.count, r.median, r.minimum, r.maximum)
        for r in flow.length_of_stay_by_phase(scope)
        if r.key != flow.WHOLE_STAY
    ]
    exits = {row.key: row.count for row in flow.exits_by_type(scope)}
    assert exits["end_of_sentence"] == 1
    assert exits["return_to_pi"] == 1
    assert exits["withdrawal"] == 0


def test_funnel_counts_stages_outcomes_and_end_reasons():
    site, _stays = site_with_three_stays()
    intake_round(site)
    scope = Scope((site.pk,), PERIOD)
    found = intake.funnel(scope)
    assert (found.opened, found.placed, found.conversion) == (3, 1, 33.3)
    # across sites stages are grouped by kind; one site shows its own stages
    assert [(s.key, s.reached, s.passed) for s in found.stages] == [
        ("assessment", 3, 2)
    ]
    own = intake.site_funnel(scope)
    assert [(s.key, s.reached, s.passed) for s in own.stages] == [("screen", 3, 2)]
    # the same figures as the intake app's own funnel
    theirs = funnel_for_site(site=site, start=PERIOD.start, end=PERIOD.end)
    assert [(s.key, s.label, s.reached, s.passed) for s in own.stages] == [
        (s.code, s.name, s.reached, s.passed) for s in theirs.stages if s.reached
    ]
    assert own.opened == theirs.total
    assert own.end_reasons == [(r.key, r.label, r.count) for r in theirs.end_reasons]
    not_interested = EndReasonCode.NOT_INTERESTED
    assert ("not_interested", str(not_interested.label), 1) in [
        (code, str(label), n) for code, label, n in found.end_reasons
    ]


def test_every_dashboard_number_opens_the_people_behind_it(client):
    site, (a, b, c) = site_with_three_stays()
    client.force_login(user_with_role("researcher", site))
    url = reverse("dashboards:site_cases", args=[site.code])
    base = {"start": "2024-01-01", "end": "2024-03-31"}
    outflow = client.get(url, {**base, "metric": "outflow", "key": "2024-03"})
    assert {row["person_pk"] for row in outflow.context["page"].object_list} == {
        a.person_id,
        c.person_id,
    }
    # researchers get pseudonyms, never names
    assert a.person.last_name not in outflow.content.decode()
    assert a.person.pseudonym in outflow.content.decode()
    others = client.get(
        url, {**base, "metric": "occupancy", "key": "2024-02-01:others"}
    )
    assert [row["person_pk"] for row in others.context["page"].object_list] == [
        b.person_id
    ]


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"start": "2024-01-01", "end": "2024-03-31"})
    assert response.status_code == 200
    # session saves and savepoints depend on the session's age, not on data
    return len(
        [
            q
            for q in captured.captured_queries
            if "django_session" not in q["sql"] and "SAVEPOINT" not in q["sql"]
        ]
    )


def test_dashboard_and_overview_query_counts_do_not_grow_with_the_data(client):
    site, _stays = site_with_three_stays("eerste")
    intake_round(site)
    leader = user_with_role("project_leader", site)
    client.force_login(leader)
    site_url = reverse("dashboards:site_dashboard", args=[site.code])
    overview_url = reverse("dashboards:overview")
    site_before, overview_before = (
        _queries(client, site_url),
        _queries(client, overview_url),
    )
    for code in ("tweede", "derde"):
        more, _stays = site_with_three_stays(code)
        intake_round(more, count=3)
        Membership.objects.create(user=leader, site=more, role="project_leader")
    intake_round(site, count=4)
    assert _queries(client, site_url) == site_before
    assert _queries(client, overview_url) == overview_before

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

import tests.factories
from tests.factories import (
    ActivityFactory,
    GoalFactory,
    IncidentFactory,
    IndividualPlanFactory,
    IntakeCaseFactory,
    LocationPeriodFactory,
    PersonFactory,
    PlanFormDefinitionFactory,
    ReviewFactory,
    StayFactory,
    StayPhaseFactory,
)
from trajectories.selectors import (
    activities_past_due,
    person_timeline,
    plans_without_goals,
    reviews_overdue,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2020, 7, 1)


def _plan(site, **kwargs):
    stay = StayFactory(site=site, person=PersonFactory(site=site))
    return IndividualPlanFactory(
        stay=stay, drawn_up_on=datetime.date(2020, 5, 1), **kwargs
    )


def test_plans_without_goals_lists_only_open_stays_of_own_site(
    almelo, krimpen, casemanager_almelo
):
    bare = _plan(almelo)
    GoalFactory(plan=_plan(almelo))
    ended = _plan(almelo)
    ended.stay.ended_on = datetime.date(2020, 6, 1)
    ended.stay.outflow_type = "end_of_sentence"
    ended.stay.save()
    _plan(krimpen)
    assert list(plans_without_goals(user=casemanager_almelo)) == [bare]


def test_activities_past_due_are_open_activities_with_a_due_date_in_the_past(
    almelo, casemanager_almelo
):
    goal = GoalFactory(plan=_plan(almelo))
    late = ActivityFactory(goal=goal, due_on=datetime.date(2020, 6, 30))
    ActivityFactory(goal=goal, due_on=datetime.date(2020, 7, 1))
    ActivityFactory(goal=goal, due_on=datetime.date(2020, 6, 1), status="done")
    ActivityFactory(
        goal=goal,
        due_on=datetime.date(2020, 6, 1),
        status="not_done",
        not_done_reason="Geweigerd",
    )
    assert list(activities_past_due(user=casemanager_almelo, today=TODAY)) == [late]


def test_reviews_overdue_use_the_site_interval_and_the_next_review_date(
    almelo, casemanager_almelo
):
    PlanFormDefinitionFactory(site=almelo, review_interval_days=28)
    never = _plan(almelo)  # plan of 1 May, no review: due 29 May
    recent = _plan(almelo)
    ReviewFactory(plan=recent, held_on=datetime.date(2020, 6, 20))  # due 18 July
    promised = _plan(almelo)
    ReviewFactory(
        plan=promised,
        held_on=datetime.date(2020, 6, 25),
        next_review_on=datetime.date(2020, 6, 28),
    )
    rows = reviews_overdue(user=casemanager_almelo, today=TODAY)
    assert [(r.plan, r.due_on, r.days_overdue) for r in rows] == [
        (never, datetime.date(2020, 5, 29), 33),
        (promised, datetime.date(2020, 6, 28), 3),
    ]


def _fill(site, n):
    for _ in range(n):
        plan = _plan(site)
        goal = GoalFactory(plan=plan)
        ActivityFactory(goal=goal, due_on=datetime.date(2020, 6, 1))
        _plan(site)
        ReviewFactory(plan=plan, held_on=datetime.date(2020, 5, 2))


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_worklist_and_home_query_counts_do_not_grow_with_the_data(
    client, almelo, casemanager_almelo, django_assert_max_num_queries
):
    PlanFormDefinitionFactory(site=almelo)
    client.force_login(casemanager_almelo)
    _fill(almelo, 1)
    worklist = _queries(client, "/trajectories/worklist/")
    home = _queries(client, "/")
    _fill(almelo, 8)
    with django_assert_max_num_queries(worklist):
        response = client.get("/trajectories/worklist/")
    assert response.content.decode().count("badge overdue") == 9
    with django_assert_max_num_queries(home):
        client.get("/")


def _history(site):
    person = PersonFactory(site=site)
    IntakeCaseFactory(site=site, person=person)
    stay = StayFactory(site=site, person=person)
    StayPhaseFactory(stay=stay)
    LocationPeriodFactory(stay=stay)
    IncidentFactory(stay=stay)
    plan = IndividualPlanFactory(stay=stay)
    goal = GoalFactory(plan=plan)
    ActivityFactory(goal=goal, status="done", done_on=datetime.date(2020, 5, 3))
    ReviewFactory(plan=plan)
    return person, stay


def test_timeline_shows_everything_in_date_order(almelo):
    person, _stay = _history(almelo)
    entries = person_timeline(person=person)
    assert [e.kind for e in entries] == [
        "intake",
        "stay",
        "phase",
        "location",
        "incident",
        "plan",
        "review",
        "activity",
    ]
    assert [e.day for e in entries] == sorted(e.day for e in entries)


def _measurement(stay, sequence):
    """A measurement when the evaluation app has them (looked up at run time)."""
    factory = getattr(tests.factories, "MeasurementFactory", None)
    if factory is not None:
        factory(stay=stay, moment="tussenmeting", sequence=sequence)
    return factory is not None


def test_timeline_query_count_does_not_grow_with_the_data(
    client, almelo, casemanager_almelo, django_assert_max_num_queries
):
    person, stay = _history(almelo)
    has_measurements = _measurement(stay, 1)
    client.force_login(casemanager_almelo)
    url = f"/trajectories/people/{person.pk}/timeline/"
    baseline = _queries(client, url)
    for _ in range(5):
        IncidentFactory(stay=stay)
        ReviewFactory(plan=stay.plan)
        ActivityFactory(
            goal=GoalFactory(plan=stay.plan),
            status="done",
            done_on=datetime.date(2020, 6, 1),
        )
        LocationPeriodFactory(stay=stay)
    for sequence in range(2, 5):
        _measurement(stay, sequence)
    with django_assert_max_num_queries(baseline):
        response = client.get(url)
    page = response.content.decode()
    assert page.count("entry-incident") == 6
    assert page.count("entry-measurement") == (4 if has_measurements else 0)

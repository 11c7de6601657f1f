"""Facts that happened cannot be dated in the future; a job may have a
planned start."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.dates import day_text
from core.rules import DATE_IN_FUTURE
from tests.factories import (
    ActivityFactory,
    GoalFactory,
    IndividualPlanFactory,
    StayFactory,
)
from trajectories.models import Activity, Employment, Incident, Review
from trajectories.models.plans import ACTIVITY_DONE_DATE_REQUIRED
from trajectories.models.stays import DECIDED_BEFORE_OCCURRED
from trajectories.services import (
    activity_create,
    activity_update,
    employment_record,
    incident_record,
    review_record,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def _tomorrow() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=1)


def _in_future() -> list[str]:
    return [str(DATE_IN_FUTURE % {"today": day_text(timezone.localdate())})]


def test_activity_done_without_a_date_is_refused():
    goal = GoalFactory()
    with pytest.raises(ValidationError) as caught:
        activity_create(goal=goal, data={"description": "Gesprek", "status": "done"})
    assert caught.value.message_dict["done_on"] == [str(ACTIVITY_DONE_DATE_REQUIRED)]
    assert not Activity.objects.filter(goal=goal).exists()


def test_activity_done_in_the_future_is_refused():
    activity = ActivityFactory()
    with pytest.raises(ValidationError) as caught:
        activity_update(
            activity=activity, data={"status": "done", "done_on": _tomorrow()}
        )
    assert caught.value.message_dict["done_on"] == _in_future()
    activity.refresh_from_db()
    assert (activity.status, activity.done_on) == ("planned", None)


def test_activity_done_today_is_accepted():
    activity = ActivityFactory()
    today = timezone.localdate()
    activity_update(activity=activity, data={"status": "done", "done_on": today})
    activity.refresh_from_db()
    assert activity.done_on == today


def test_review_held_in_the_future_is_refused():
    plan = IndividualPlanFactory()
    with pytest.raises(ValidationError) as caught:
        review_record(plan=plan, held_on=_tomorrow(), kind="mentor_talk", notes="x")
    assert caught.value.message_dict["held_on"] == _in_future()
    assert not Review.objects.filter(plan=plan).exists()


def test_review_may_plan_the_next_one_in_the_future():
    plan = IndividualPlanFactory()
    review = review_record(
        plan=plan,
        held_on=timezone.localdate(),
        kind="mentor_talk",
        notes="x",
        next_review_on=_tomorrow(),
    )
    assert review.next_review_on == _tomorrow()


def _incident(stay, **kwargs):
    return incident_record(
        stay=stay,
        kind="drug_use",
        detection="urine_test",
        consequence="warning",
        recorded_by=None,
        **kwargs,
    )


def test_incident_in_the_future_is_refused():
    stay = StayFactory()
    with pytest.raises(ValidationError) as caught:
        _incident(stay, occurred_on=_tomorrow())
    assert caught.value.message_dict["occurred_on"] == _in_future()
    assert not Incident.objects.filter(stay=stay).exists()


def test_incident_decided_before_it_occurred_is_refused():
    stay = StayFactory()
    with pytest.raises(ValidationError) as caught:
        _incident(stay, occurred_on=D(2020, 5, 10), decided_on=D(2020, 5, 1))
    assert caught.value.message_dict["decided_on"] == [
        str(DECIDED_BEFORE_OCCURRED % {"day": "10-5-2020"})
    ]


def test_definitive_return_decided_in_the_future_does_not_end_the_stay():
    stay = StayFactory()
    with pytest.raises(ValidationError):
        incident_record(
            stay=stay,
            kind="drug_use",
            detection="urine_test",
            consequence="definitive_return",
            occurred_on=timezone.localdate(),
            decided_on=_tomorrow(),
            recorded_by=None,
        )
    stay.refresh_from_db()
    assert stay.ended_on is None


def test_a_job_may_have_a_planned_start_in_the_future():
    stay = StayFactory()
    job = employment_record(
        stay=stay,
        employer_name="Demo-Metaal",
        data={
            "job_title": "lasser",
            "hours_per_week": 32,
            "pay_kind": "paid",
            "started_on": _tomorrow(),
            "origin": "found",
        },
    )
    assert Employment.objects.get(pk=job.pk).started_on == _tomorrow()

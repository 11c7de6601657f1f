"""Every database constraint of the case models has a ``clean()`` check with
a readable message on a field, so users never see a constraint's name."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from tests.factories import (
    ActivityFactory,
    CaseRoleFactory,
    ConsentFactory,
    EmploymentFactory,
    IncidentFactory,
    JobSearchActivityFactory,
    LocationPeriodFactory,
    ProgrammePhaseFactory,
    ReviewFactory,
    StayFactory,
    StayPhaseFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
PLACED = D(2020, 4, 1)


def _stay(**kwargs):
    return StayFactory.build(**_stay_parents(), **kwargs)


def _stay_parents():
    saved = StayFactory()
    return {"site": saved.site, "place_type": saved.place_type}


def _second_open_stay():
    first = StayFactory()
    return StayFactory.build(
        site=first.site, person=first.person, place_type=first.place_type
    )


def _stay_with_person(**kwargs):
    saved = StayFactory(ended_on=D(2020, 4, 2), outflow_type="transfer")
    return StayFactory.build(
        site=saved.site,
        place_type=saved.place_type,
        person=saved.person,
        placed_on=D(2021, 1, 1),
        **kwargs,
    )


# constraint name -> (instance that breaks it, field that gets the message)
CASES: dict[str, tuple[Callable[[], models.Model], str]] = {
    "stay_outflow_after_placement": (
        lambda: _stay_with_person(ended_on=D(2020, 12, 1), outflow_type="transfer"),
        "ended_on",
    ),
    "stay_outflow_has_type": (
        lambda: _stay_with_person(ended_on=D(2021, 2, 1), outflow_type=""),
        "outflow_type",
    ),
    "stay_one_open_per_person": (_second_open_stay, "person"),
    "stay_phase_end_after_start": (
        lambda: StayPhaseFactory.build(
            stay=StayFactory(), started_on=PLACED, ended_on=D(2020, 3, 1)
        ),
        "ended_on",
    ),
    "location_end_after_start": (
        lambda: LocationPeriodFactory.build(
            stay=StayFactory(), started_on=PLACED, ended_on=D(2020, 3, 1)
        ),
        "ended_on",
    ),
    "incident_temporary_return_has_duration": (
        lambda: IncidentFactory.build(
            stay=StayFactory(), consequence="temporary_return", return_days=None
        ),
        "return_days",
    ),
    "employment_end_after_start": (
        lambda: EmploymentFactory.build(
            stay=StayFactory(),
            employer=EmploymentFactory().employer,
            started_on=PLACED,
            ended_on=D(2020, 3, 1),
        ),
        "ended_on",
    ),
    "employment_pay_kind_known": (
        lambda: EmploymentFactory.build(
            stay=StayFactory(), employer=EmploymentFactory().employer, pay_kind="?"
        ),
        "pay_kind",
    ),
    "employment_hours_plausible": (
        lambda: EmploymentFactory.build(
            stay=StayFactory(), employer=EmploymentFactory().employer, hours_per_week=81
        ),
        "hours_per_week",
    ),
    "job_search_not_used_has_reason": (
        lambda: JobSearchActivityFactory.build(
            stay=StayFactory(), used=False, reason_not_used=""
        ),
        "reason_not_used",
    ),
    "activity_not_done_has_reason": (
        lambda: ActivityFactory.build(
            goal=ActivityFactory().goal, status="not_done", not_done_reason=""
        ),
        "not_done_reason",
    ),
    "review_next_after_held": (
        lambda: ReviewFactory.build(
            plan=ReviewFactory().plan,
            held_on=D(2020, 5, 1),
            next_review_on=D(2020, 4, 1),
        ),
        "next_review_on",
    ),
    "case_role_end_after_start": (
        lambda: CaseRoleFactory.build(
            person=CaseRoleFactory().person, started_on=PLACED, ended_on=D(2020, 3, 1)
        ),
        "ended_on",
    ),
    "case_role_has_someone": (
        lambda: CaseRoleFactory.build(
            person=CaseRoleFactory().person, contact=None, name=""
        ),
        "name",
    ),
    "programme_phase_valid_to_after_from": (
        lambda: ProgrammePhaseFactory.build(
            site=StayFactory().site, valid_from=PLACED, valid_to=D(2020, 3, 1)
        ),
        "valid_to",
    ),
    "consent_withdrawn_after_given": (
        lambda: ConsentFactory.build(
            person=ConsentFactory().person,
            given_on=PLACED,
            withdrawn_on=D(2020, 3, 1),
        ),
        "withdrawn_on",
    ),
}


def _constraints_needing_a_message() -> set[str]:
    """Check constraints and conditional unique constraints; a plain unique
    constraint gets Django's own "... already exists" message."""
    names = set()
    for app in ("trajectories", "partners"):
        for model in apps.get_app_config(app).get_models():
            for constraint in model._meta.constraints:
                if isinstance(constraint, models.CheckConstraint) or (
                    isinstance(constraint, models.UniqueConstraint)
                    and constraint.condition is not None
                ):
                    names.add(constraint.name)
    return names


def test_every_constraint_has_a_case_here():
    assert set(CASES) == _constraints_needing_a_message()


@pytest.mark.parametrize("name", sorted(CASES))
def test_breaking_a_constraint_gives_a_field_message_without_its_name(name):
    build, field = CASES[name]
    instance = build()
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    errors = caught.value.message_dict
    assert field in errors
    assert all(
        name not in message for messages in errors.values() for message in messages
    )
    assert all(key != "__all__" for key in errors)
    # the same instance really breaks the database constraint
    with pytest.raises(IntegrityError), transaction.atomic():
        instance.save()

"""Derived items read what intake and stays registered, through the registry."""

from __future__ import annotations

import datetime

import pytest

from evaluation.derived import derived_path_problem, resolve
from intake.models import StageEvent
from tests.factories import (
    EmploymentFactory,
    EntryRouteFactory,
    IndividualPlanFactory,
    IntakeCaseFactory,
    IntakeStageFactory,
    JobSearchActivityFactory,
    PersonFactory,
    StayFactory,
    simple_process,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def stay(almelo):
    process = simple_process(almelo)
    person = PersonFactory(site=almelo, gender="female")
    case = IntakeCaseFactory(
        site=almelo,
        person=person,
        process=process,
        entry_route=EntryRouteFactory(process=process, code="dji_list"),
    )
    return StayFactory(
        site=almelo,
        person=person,
        intake_case=case,
        placed_on=datetime.date(2021, 2, 3),
    )


def test_person_and_stay_fields_show_their_registered_values(stay):
    assert resolve("person.gender", stay).value == "female"
    assert resolve("person.birth_year", stay).value == stay.person.date_of_birth.year
    placed = resolve("stay.placed_on", stay)
    assert (placed.value, placed.display) == ("2021-02-03", "03-02-2021")
    assert resolve("stay.ended_on", stay) is None  # not registered yet: asked


def test_entry_route_code_answers_the_sub_item_yes_or_no(stay):
    assert resolve("intake.entry_route=dji_list", stay).value is True
    assert resolve("intake.entry_route=partner_referral", stay).value is False


def test_registered_intake_step_answers_yes(stay):
    stage = IntakeStageFactory(process=stay.intake_case.process, code="weegtafel")
    assert resolve("intake_stage.weegtafel", stay) is None
    StageEvent.objects.create(
        case=stay.intake_case,
        stage=stage,
        occurred_on=datetime.date(2021, 1, 5),
        outcome="positive",
    )
    assert resolve("intake_stage.weegtafel", stay).value is True


def test_plan_job_search_and_work_facts(stay):
    assert resolve("plan.written_by_detainee", stay) is None
    IndividualPlanFactory(stay=stay, written_by_detainee=True)
    stay.refresh_from_db()
    assert resolve("plan.written_by_detainee", stay).value is True

    JobSearchActivityFactory(
        stay=stay, kind="course", used=False, reason_not_used="geen plek"
    )
    assert resolve("job_search.course", stay).value is False
    assert resolve("job_search.theme_evening", stay) is None

    assert resolve("work.paid_job_found", stay) is None
    EmploymentFactory(stay=stay, origin="found", pay_kind="paid")
    assert resolve("work.paid_job_found", stay).value is True


def test_malformed_or_identifying_sources_are_refused():
    assert derived_path_problem("person.date_of_birth")
    assert derived_path_problem("person")
    assert derived_path_problem("work.unicorn")
    assert derived_path_problem("job_search.course=x")
    assert derived_path_problem("intake_stage.weegtafel") == ""


def test_a_related_object_is_never_shown_by_its_name(stay):
    # stay.person would print the person's full name on a researcher's form.
    assert resolve("stay.person", stay) is None
    assert resolve("intake.person", stay) is None
    assert resolve("stay.place_type", stay) is None
    code = stay.intake_case.entry_route.code
    assert resolve(f"intake.entry_route={code}", stay).value is True

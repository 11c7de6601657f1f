"""Placement rules: one stay at a time, participants passed the intake,
dates that fit the stay."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.dates import day_text
from core.rules import DATE_IN_FUTURE
from tests.factories import (
    CapacityPeriodFactory,
    IntakeCaseFactory,
    PersonFactory,
    PlaceTypeFactory,
    StayFactory,
)
from trajectories.models import Stay
from trajectories.models.stays import (
    EXPECTED_END_BEFORE_PLACEMENT,
    OUTFLOW_BEFORE_PLACEMENT,
)
from trajectories.selectors import occupancy_by_day
from trajectories.services import stay_create, stay_end, stay_update
from trajectories.services.stays import (
    INTAKE_CASE_OTHER_PERSON,
    PARTICIPANT_NEEDS_INTAKE,
)

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def place_type(almelo):
    place_type = PlaceTypeFactory(site=almelo, code="bba")
    CapacityPeriodFactory(place_type=place_type, places=20, valid_from=D(2020, 1, 1))
    return place_type


def _place(person, place_type, day, **kwargs):
    return stay_create(
        person=person, place_type=place_type, placed_on=day, created_by=None, **kwargs
    )


def test_placing_a_person_twice_on_the_same_day_is_refused(almelo, place_type):
    person = PersonFactory(site=almelo)
    _place(person, place_type, D(2021, 3, 1))
    with pytest.raises(ValidationError, match="sinds 1-3-2021 nog geplaatst"):
        _place(person, place_type, D(2021, 3, 1))
    assert Stay.objects.filter(person=person).count() == 1
    row = occupancy_by_day(site=almelo, start=D(2021, 3, 1), end=D(2021, 3, 1))[0]
    assert row["occupied"] == 1


def test_placement_inside_an_ended_stay_is_refused(almelo, place_type):
    person = PersonFactory(site=almelo)
    stay = _place(person, place_type, D(2021, 3, 1))
    stay_end(stay=stay, ended_on=D(2021, 6, 1), outflow_type="end_of_sentence")
    with pytest.raises(ValidationError, match="van 1-3-2021 tot 1-6-2021"):
        _place(person, place_type, D(2021, 5, 1))


def test_a_new_placement_may_start_on_the_outflow_day(almelo, place_type):
    person = PersonFactory(site=almelo)
    stay = _place(person, place_type, D(2021, 3, 1))
    stay_end(stay=stay, ended_on=D(2021, 6, 1), outflow_type="transfer")
    again = _place(person, place_type, D(2021, 6, 1))
    assert again.is_active


def test_the_database_refuses_a_second_open_stay_of_a_person(almelo):
    stay = StayFactory(site=almelo)
    with pytest.raises(IntegrityError), transaction.atomic():
        StayFactory(site=almelo, person=stay.person, place_type=stay.place_type)


def test_the_placement_form_shows_the_overlap_and_keeps_the_input(
    client, casemanager_almelo, almelo, place_type
):
    person = PersonFactory(site=almelo)
    _place(person, place_type, D(2021, 3, 1))
    client.force_login(casemanager_almelo)
    response = client.post(
        reverse("trajectories:stay_create", args=[person.pk]),
        {"place_type": place_type.pk, "placed_on": "2021-03-01"},
    )
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert "1-3-2021" in errors[0]
    assert "stay_one_open_per_person" not in response.content.decode()
    assert response.context["form"]["placed_on"].value() == "2021-03-01"
    assert Stay.objects.filter(person=person).count() == 1


def test_expected_end_before_the_placement_is_refused(almelo, place_type):
    with pytest.raises(ValidationError) as caught:
        _place(
            PersonFactory(site=almelo),
            place_type,
            D(2021, 3, 1),
            expected_end=D(2021, 2, 1),
        )
    assert caught.value.message_dict["expected_end"] == [
        str(EXPECTED_END_BEFORE_PLACEMENT % {"day": "1-3-2021"})
    ]


def test_direct_placement_is_a_non_participant(almelo, place_type):
    stay = _place(PersonFactory(site=almelo), place_type, D(2021, 3, 1))
    assert stay.participant is False


def test_participant_without_intake_case_is_refused(almelo, place_type):
    with pytest.raises(ValidationError) as caught:
        _place(PersonFactory(site=almelo), place_type, D(2021, 3, 1), participant=True)
    assert caught.value.message_dict["participant"] == [str(PARTICIPANT_NEEDS_INTAKE)]


def test_placement_from_an_intake_case_is_a_participant(almelo, place_type):
    case = IntakeCaseFactory(site=almelo)
    stay = _place(case.person, place_type, D(2021, 3, 1), intake_case=case)
    assert stay.participant is True


def test_an_intake_case_of_someone_else_does_not_make_a_participant(almelo, place_type):
    case = IntakeCaseFactory(site=almelo)
    with pytest.raises(ValidationError) as caught:
        _place(PersonFactory(site=almelo), place_type, D(2021, 3, 1), intake_case=case)
    assert caught.value.messages == [str(INTAKE_CASE_OTHER_PERSON)]


def test_a_non_participant_cannot_be_made_participant_without_intake(
    almelo, place_type
):
    stay = _place(PersonFactory(site=almelo), place_type, D(2021, 3, 1))
    with pytest.raises(ValidationError) as caught:
        stay_update(stay=stay, data={"participant": True})
    assert caught.value.message_dict["participant"] == [str(PARTICIPANT_NEEDS_INTAKE)]
    stay.refresh_from_db()
    assert stay.participant is False


def test_outflow_in_the_future_is_refused(almelo, place_type):
    stay = _place(PersonFactory(site=almelo), place_type, D(2021, 3, 1))
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        stay_end(stay=stay, ended_on=tomorrow, outflow_type="end_of_sentence")
    assert caught.value.message_dict["ended_on"] == [
        str(DATE_IN_FUTURE % {"today": day_text(timezone.localdate())})
    ]
    stay.refresh_from_db()
    assert stay.ended_on is None


def test_outflow_before_placement_shows_a_message_on_the_date_field(
    client, casemanager_almelo, almelo, place_type
):
    stay = _place(PersonFactory(site=almelo), place_type, D(2021, 3, 1))
    client.force_login(casemanager_almelo)
    response = client.post(
        reverse("trajectories:stay_outflow", args=[stay.pk]),
        {"ended_on": "2021-02-01", "outflow_type": "end_of_sentence"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["ended_on"] == [
        str(OUTFLOW_BEFORE_PLACEMENT % {"day": "1-3-2021"})
    ]
    assert "stay_outflow_after_placement" not in response.content.decode()
    stay.refresh_from_db()
    assert stay.ended_on is None


def test_the_placement_form_has_no_participant_box(client, casemanager_almelo, almelo):
    client.force_login(casemanager_almelo)
    person = PersonFactory(site=almelo)
    response = client.get(reverse("trajectories:stay_create", args=[person.pk]))
    assert "participant" not in response.context["form"].fields
    assert 'id="form-intro"' in response.content.decode()

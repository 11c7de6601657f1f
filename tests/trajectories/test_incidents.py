from __future__ import annotations

import datetime

import pytest

from tests.factories import CapacityPeriodFactory, PersonFactory, PlaceTypeFactory
from trajectories.models import LocationPeriod
from trajectories.selectors import occupancy_by_day
from trajectories.services import incident_record, stay_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def stay(almelo):
    place_type = PlaceTypeFactory(site=almelo, code="bba")
    CapacityPeriodFactory(place_type=place_type, places=20)
    return stay_create(
        person=PersonFactory(site=almelo),
        place_type=place_type,
        placed_on=datetime.date(2021, 2, 1),
        created_by=None,
    )


def test_temporary_return_puts_the_person_back_in_the_pi_for_its_duration(stay):
    incident_record(
        stay=stay,
        occurred_on=datetime.date(2021, 3, 1),
        kind="rule_breach",
        detection="staff",
        consequence="temporary_return",
        return_days=42,
        decided_by="DIZ selectiefunctionaris",
        recorded_by=None,
    )
    period = LocationPeriod.objects.get(stay=stay)
    assert (period.status, period.started_on, period.ended_on) == (
        "returned_pi",
        datetime.date(2021, 3, 1),
        datetime.date(2021, 4, 12),
    )
    rows = occupancy_by_day(
        site=stay.site, start=datetime.date(2021, 4, 11), end=datetime.date(2021, 4, 12)
    )
    assert [r["by_location"]["returned_pi"] for r in rows] == [1, 0]
    assert [r["occupied"] for r in rows] == [1, 1]


def test_definitive_return_after_drug_use_ends_the_stay(stay):
    incident_record(
        stay=stay,
        occurred_on=datetime.date(2021, 4, 1),
        decided_on=datetime.date(2021, 4, 3),
        kind="drug_use",
        detection="urine_test",
        consequence="definitive_return",
        decided_by="DIZ selectiefunctionaris",
        recorded_by=None,
    )
    stay.refresh_from_db()
    assert (stay.ended_on, stay.outflow_type) == (
        datetime.date(2021, 4, 3),
        "return_to_pi",
    )
    assert stay.phases.get().ended_on == datetime.date(2021, 4, 3)


def test_incident_form_without_duration_for_a_temporary_return_keeps_input(
    client, stay, casemanager_almelo
):
    client.force_login(casemanager_almelo)
    response = client.post(
        f"/trajectories/stays/{stay.pk}/incident/",
        {
            "occurred_on": "2021-03-01",
            "kind": "drug_use",
            "detection": "urine_test",
            "consequence": "temporary_return",
            "decided_by": "weegtafel",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="field-return_days"' in page
    assert "field-errors" in page
    assert 'value="weegtafel"' in page
    assert not stay.incidents.exists()

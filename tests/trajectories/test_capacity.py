from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from core.dates import day_text
from core.models import AuditEvent, AuditKind
from tests.factories import (
    CapacityPeriodFactory,
    PersonFactory,
    PlaceTypeFactory,
    ProgrammePhaseFactory,
)
from trajectories.services import CAPACITY_FULL, stay_create, stay_phase_change

pytestmark = pytest.mark.django_db

DAY = datetime.date(2019, 3, 1)


@pytest.fixture
def full_ward(krimpen):
    """Krimpen with one BBI place (DC I) and one ZBBI place (DC II), both taken."""
    bbi = PlaceTypeFactory(site=krimpen, code="bbi", name="BBI-plaats")
    zbbi = PlaceTypeFactory(site=krimpen, code="zbbi", name="ZBBI-plaats")
    CapacityPeriodFactory(
        place_type=bbi, places=1, valid_from=datetime.date(2019, 1, 1)
    )
    CapacityPeriodFactory(
        place_type=zbbi, places=1, valid_from=datetime.date(2019, 1, 1)
    )
    dc1 = ProgrammePhaseFactory(site=krimpen, code="dc1", order=0, place_type=bbi)
    dc2 = ProgrammePhaseFactory(site=krimpen, code="dc2", order=1, place_type=zbbi)
    for place_type in (bbi, zbbi):
        stay_create(
            person=PersonFactory(site=krimpen),
            place_type=place_type,
            placed_on=datetime.date(2019, 1, 10),
            created_by=None,
        )
    return {"bbi": bbi, "zbbi": zbbi, "dc1": dc1, "dc2": dc2, "site": krimpen}


def test_placement_on_a_full_place_type_is_refused(full_ward):
    with pytest.raises(ValidationError) as error:
        stay_create(
            person=PersonFactory(site=full_ward["site"]),
            place_type=full_ward["bbi"],
            placed_on=DAY,
            created_by=None,
        )
    expected = CAPACITY_FULL % {
        "places": 1,
        "place_type": "BBI-plaats",
        "day": day_text(DAY),
    }
    assert error.value.messages == [expected]


def test_placement_above_capacity_with_a_reason_is_accepted_and_audited(
    full_ward, casemanager_krimpen
):
    stay = stay_create(
        person=PersonFactory(site=full_ward["site"]),
        place_type=full_ward["bbi"],
        placed_on=DAY,
        created_by=casemanager_krimpen,
        capacity_override_reason="Noodplaatsing op verzoek van DIZ",
    )
    event = AuditEvent.objects.get(kind=AuditKind.OVERRIDE)
    assert event.details["stay"] == stay.pk
    assert event.details["reason"] == "Noodplaatsing op verzoek van DIZ"
    assert event.actor == casemanager_krimpen
    assert stay.phases.get().phase == full_ward["dc1"]


def test_place_freed_by_outflow_can_be_taken_again(full_ward):
    from trajectories.models import Stay
    from trajectories.services import stay_end

    stay_end(
        stay=Stay.objects.get(place_type=full_ward["bbi"]),
        ended_on=datetime.date(2019, 2, 1),
        outflow_type="end_of_sentence",
    )
    stay = stay_create(
        person=PersonFactory(site=full_ward["site"]),
        place_type=full_ward["bbi"],
        placed_on=datetime.date(2019, 2, 1),
        created_by=None,
    )
    assert stay.pk


def test_phase_change_to_a_full_place_type_is_refused_unless_a_reason_is_given(
    full_ward,
):
    from trajectories.models import Stay

    stay = Stay.objects.get(place_type=full_ward["bbi"])
    with pytest.raises(ValidationError, match="ZBBI-plaats"):
        stay_phase_change(
            stay=stay,
            phase=full_ward["dc2"],
            place_type=full_ward["zbbi"],
            started_on=DAY,
            changed_by=None,
        )
    assert stay.phases.count() == 1
    stay_phase_change(
        stay=stay,
        phase=full_ward["dc2"],
        place_type=full_ward["zbbi"],
        started_on=DAY,
        changed_by=None,
        capacity_override_reason="Doorstroom DC I naar DC II",
    )
    stay.refresh_from_db()
    assert stay.place_type == full_ward["zbbi"]
    assert [(p.phase.code, p.ended_on) for p in stay.phases.order_by("started_on")] == [
        ("dc1", DAY),
        ("dc2", None),
    ]


def test_capacity_refusal_in_the_browser_form_keeps_the_input(
    client, full_ward, casemanager_krimpen
):
    person = PersonFactory(site=full_ward["site"])
    client.force_login(casemanager_krimpen)
    response = client.post(
        f"/trajectories/people/{person.pk}/place/",
        {
            "place_type": full_ward["bbi"].pk,
            "placed_on": "2019-03-01",
            "expected_end": "2019-09-01",
            "participant": "on",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    expected = str(CAPACITY_FULL) % {
        "places": 1,
        "place_type": "BBI-plaats",
        "day": day_text(DAY),
    }
    assert expected in page.replace("&#x27;", "'")
    assert 'value="2019-09-01"' in page
    assert person.stays.count() == 0

    response = client.post(
        f"/trajectories/people/{person.pk}/place/",
        {
            "place_type": full_ward["bbi"].pk,
            "placed_on": "2019-03-01",
            "participant": "on",
            "capacity_override_reason": "Tijdelijke overbezetting",
        },
    )
    assert response.status_code == 302
    assert person.stays.count() == 1


def test_placement_that_would_overfill_a_later_day_is_refused(krimpen):
    place_type = PlaceTypeFactory(site=krimpen, code="zbbi", name="ZBBI-plaats")
    CapacityPeriodFactory(
        place_type=place_type, places=1, valid_from=datetime.date(2019, 1, 1)
    )
    stay_create(
        person=PersonFactory(site=krimpen),
        place_type=place_type,
        placed_on=datetime.date(2019, 3, 10),
        created_by=None,
    )
    later = datetime.date(2019, 3, 10)
    with pytest.raises(ValidationError) as error:
        stay_create(
            person=PersonFactory(site=krimpen),
            place_type=place_type,
            placed_on=DAY,
            created_by=None,
        )
    assert error.value.messages == [
        CAPACITY_FULL
        % {"places": 1, "place_type": "ZBBI-plaats", "day": day_text(later)}
    ]


def test_placement_before_a_capacity_cut_is_checked_against_the_cut(almelo):
    place_type = PlaceTypeFactory(site=almelo, code="bba", name="BBA-plaats")
    CapacityPeriodFactory(
        place_type=place_type,
        places=2,
        valid_from=datetime.date(2021, 1, 1),
        valid_to=datetime.date(2021, 2, 28),
    )
    CapacityPeriodFactory(
        place_type=place_type, places=1, valid_from=datetime.date(2021, 3, 1)
    )
    stay_create(
        person=PersonFactory(site=almelo),
        place_type=place_type,
        placed_on=datetime.date(2021, 1, 5),
        created_by=None,
    )
    with pytest.raises(ValidationError, match="1-3-2021"):
        stay_create(
            person=PersonFactory(site=almelo),
            place_type=place_type,
            placed_on=datetime.date(2021, 1, 10),
            created_by=None,
        )

"""Occupancy per day and length of stay per phase, against values worked out
by hand (half-open periods: the outflow day and the last day of a phase are
not counted)."""

from __future__ import annotations

import datetime

import pytest

from tests.factories import (
    CapacityPeriodFactory,
    IntakeCaseFactory,
    PersonFactory,
    PlaceTypeFactory,
    ProgrammePhaseFactory,
)
from trajectories.selectors import length_of_stay_by_phase, occupancy_by_day
from trajectories.services import (
    location_period_record,
    stay_create,
    stay_end,
    stay_phase_change,
)

pytestmark = pytest.mark.django_db


def d(day: int, month: int = 1) -> datetime.date:
    return datetime.date(2019, month, day)


@pytest.fixture
def ward(krimpen):
    """Stay A: participant, DC I on BBI from 10 Jan, DC II on ZBBI from 20 Jan,
    outflow 5 Feb. Stay B: non-participant on ZBBI (DC II) from 15 Jan, at
    home with an ankle monitor 25 Jan - 1 Feb. Stay C: participant, DC I on
    BBI 18 - 22 Jan."""
    bbi = PlaceTypeFactory(site=krimpen, code="bbi", name="BBI")
    zbbi = PlaceTypeFactory(site=krimpen, code="zbbi", name="ZBBI")
    CapacityPeriodFactory(place_type=bbi, places=2, valid_from=d(1))
    CapacityPeriodFactory(place_type=zbbi, places=3, valid_from=d(1))
    CapacityPeriodFactory(place_type=zbbi, places=99, valid_from=d(1), planned=True)
    ProgrammePhaseFactory(site=krimpen, code="dc1", order=0, place_type=bbi)
    dc2 = ProgrammePhaseFactory(site=krimpen, code="dc2", order=1, place_type=zbbi)

    def place(place_type, day, participant=True):
        # a participant passed the KV intake: placed from an intake case
        case = IntakeCaseFactory(site=krimpen, opened_on=d(1)) if participant else None
        return stay_create(
            person=case.person if case else PersonFactory(site=krimpen),
            place_type=place_type,
            placed_on=day,
            intake_case=case,
            created_by=None,
        )

    a = place(bbi, d(10))
    stay_phase_change(
        stay=a, phase=dc2, place_type=zbbi, started_on=d(20), changed_by=None
    )
    stay_end(stay=a, ended_on=d(5, 2), outflow_type="end_of_sentence")
    b = place(zbbi, d(15), participant=False)
    location_period_record(stay=b, status="home_em", started_on=d(25), ended_on=d(1, 2))
    c = place(bbi, d(18))
    stay_end(stay=c, ended_on=d(22), outflow_type="return_to_pi")
    return krimpen


def _day(rows, day):
    row = next(r for r in rows if r["day"] == day)
    types = {t["code"]: t for t in row["by_place_type"]}
    return row, types["bbi"], types["zbbi"]


def test_occupancy_per_day_follows_placements_phases_and_outflow(ward):
    rows = occupancy_by_day(site=ward, start=d(14), end=d(26))
    assert [r["day"] for r in rows] == [d(n) for n in range(14, 27)]
    assert [r["occupied"] for r in rows] == [1, 2, 2, 2, 3, 3, 3, 3, 2, 2, 2, 2, 2]

    row, bbi, zbbi = _day(rows, d(18))
    assert (row["participants"], row["non_participants"]) == (2, 1)
    assert (bbi["occupied"], bbi["capacity"]) == (2, 2)
    assert (zbbi["occupied"], zbbi["non_participants"], zbbi["capacity"]) == (1, 1, 3)
    assert row["capacity"] == 5

    # A moves from DC I (BBI) to DC II (ZBBI) on 20 January.
    _row, bbi, zbbi = _day(rows, d(20))
    assert (bbi["occupied"], zbbi["occupied"], zbbi["participants"]) == (1, 2, 1)

    # C's outflow day (22 January) is not counted.
    _row, bbi, zbbi = _day(rows, d(22))
    assert (bbi["occupied"], zbbi["occupied"]) == (0, 2)


def test_people_at_home_with_an_ankle_monitor_keep_their_place(ward):
    rows = occupancy_by_day(site=ward, start=d(24), end=d(25))
    assert rows[0]["by_location"]["home_em"] == 0
    assert rows[1]["by_location"] == {
        "in_kv": 1,
        "home_em": 1,
        "returned_pi": 0,
        "external": 0,
    }
    assert rows[1]["occupied"] == 2


def test_length_of_stay_per_phase_including_a_stay_crossing_from_dc_to_dc_ii(ward):
    result = length_of_stay_by_phase(site=ward, start=d(1), end=d(31, 3))
    phases = {row["code"]: row for row in result["phases"]}
    # DC I: A 10 days (10-20 Jan), C 4 days (18-22 Jan).
    assert phases["dc1"] == {
        "code": "dc1",
        "name": phases["dc1"]["name"],
        "count": 2,
        "median_days": 7,
        "mean_days": 7,
        "min_days": 4,
        "max_days": 10,
        "ongoing": 0,
    }
    # DC II: A 16 days (20 Jan - 5 Feb); B is still there.
    assert (phases["dc2"]["count"], phases["dc2"]["median_days"]) == (1, 16)
    assert phases["dc2"]["ongoing"] == 1
    # Whole stays: A 26 days, C 4 days.
    whole = result["whole_stay"]
    assert (
        whole["count"],
        whole["median_days"],
        whole["min_days"],
        whole["max_days"],
    ) == (
        2,
        15,
        4,
        26,
    )
    assert whole["ongoing"] == 1


def test_length_of_stay_can_be_limited_to_participants(ward):
    result = length_of_stay_by_phase(
        site=ward, start=d(1), end=d(31, 3), participant=False
    )
    assert [(r["code"], r["count"], r["ongoing"]) for r in result["phases"]] == [
        ("dc2", 0, 1)
    ]


def test_occupancy_query_count_does_not_grow_with_stays_or_days(
    ward, django_assert_max_num_queries
):
    with django_assert_max_num_queries(5):
        occupancy_by_day(site=ward, start=d(1), end=d(28, 2))

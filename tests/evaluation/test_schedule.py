from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command

from evaluation.models import Answer, Item, Measurement, MeasurementStatus
from evaluation.services import schedule_sync_for_stay
from tests.factories import StayFactory, catalogue_from_data

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture(autouse=True)
def _schedule_settings(settings):
    settings.KV_TUSSENMETING_INTERVAL_DAYS = 90
    settings.KV_NAMETING_MONTHS = [6, 12]
    settings.KV_MEASUREMENT_WINDOW_DAYS = 30


@pytest.fixture
def stay(almelo):
    catalogue_from_data(almelo)
    return StayFactory(
        site=almelo, placed_on=D(2021, 1, 10), expected_end=D(2021, 9, 1)
    )


def _plan(stay):
    return [
        (m.column_key, m.due_on, m.window_start, m.window_end, m.status)
        for m in Measurement.objects.filter(stay=stay).order_by("pk")
    ]


def test_schedule_created_at_placement_has_nulmeting_and_tussenmetingen(stay):
    schedule_sync_for_stay(stay=stay, today=D(2021, 1, 10))
    planned = MeasurementStatus.PLANNED
    assert _plan(stay) == [
        ("nulmeting-0", D(2021, 1, 10), D(2021, 1, 10), D(2021, 2, 9), planned),
        ("tussenmeting-1", D(2021, 4, 10), D(2021, 3, 11), D(2021, 5, 10), planned),
        ("tussenmeting-2", D(2021, 7, 9), D(2021, 6, 9), D(2021, 8, 8), planned),
        ("tussenmeting-3", D(2021, 10, 7), D(2021, 9, 7), D(2021, 11, 6), planned),
        # no date yet: they follow the outflow date
        ("eindmeting-0", None, None, None, planned),
        ("nameting-6", None, None, None, planned),
        ("nameting-12", None, None, None, planned),
    ]


def test_outflow_dates_the_eindmeting_and_namentingen(stay):
    schedule_sync_for_stay(stay=stay, today=D(2021, 1, 10))
    stay.ended_on = D(2021, 9, 1)
    stay.outflow_type = "end_of_sentence"
    stay.save()
    schedule_sync_for_stay(stay=stay, today=D(2021, 9, 1))
    dates = {label: due for label, due, *_ in _plan(stay)}
    assert dates["eindmeting-0"] == D(2021, 9, 1)
    assert dates["nameting-6"] == D(2022, 3, 1)
    assert dates["nameting-12"] == D(2022, 9, 1)
    windows = {label: (start, end) for label, _, start, end, _ in _plan(stay)}
    assert windows["eindmeting-0"] == (D(2021, 8, 2), D(2021, 10, 1))


def test_early_outflow_cancels_later_tussenmetingen_and_moves_the_eindmeting(stay):
    schedule_sync_for_stay(stay=stay, today=D(2021, 1, 10))
    stay.ended_on = D(2021, 5, 1)
    stay.outflow_type = "end_of_sentence"
    stay.save()
    schedule_sync_for_stay(stay=stay, today=D(2021, 5, 1))
    plan = {label: (due, status) for label, due, _, _, status in _plan(stay)}
    assert plan["tussenmeting-1"] == (D(2021, 4, 10), MeasurementStatus.PLANNED)
    assert plan["tussenmeting-2"][1] == MeasurementStatus.CANCELLED
    assert plan["tussenmeting-3"][1] == MeasurementStatus.CANCELLED
    assert plan["eindmeting-0"] == (D(2021, 5, 1), MeasurementStatus.PLANNED)
    assert plan["nameting-6"] == (D(2021, 11, 1), MeasurementStatus.PLANNED)


def test_a_tussenmeting_with_answers_survives_an_early_outflow(stay):
    measurements = schedule_sync_for_stay(stay=stay, today=D(2021, 7, 10))
    second = next(m for m in measurements if m.column_key == "tussenmeting-2")
    Answer.objects.create(
        measurement=second,
        item=Item.objects.filter(answer_type="text").first(),
        value="x",
    )
    stay.ended_on = D(2021, 7, 1)
    stay.outflow_type = "end_of_sentence"
    stay.save()
    schedule_sync_for_stay(stay=stay, today=D(2021, 7, 10))
    second.refresh_from_db()
    assert second.status == MeasurementStatus.PLANNED


def test_schedule_sync_is_idempotent(stay):
    schedule_sync_for_stay(stay=stay, today=D(2021, 2, 1))
    before = [(m.pk, m.version) for m in Measurement.objects.order_by("pk")]
    schedule_sync_for_stay(stay=stay, today=D(2021, 2, 1))
    assert [(m.pk, m.version) for m in Measurement.objects.order_by("pk")] == before


def test_timing_moves_from_upcoming_to_due_overdue_and_missed(stay):
    schedule_sync_for_stay(stay=stay, today=D(2021, 1, 10))
    first = Measurement.objects.get(stay=stay, moment="tussenmeting", sequence=1)
    assert first.timing_on(D(2021, 3, 1)) == "upcoming"
    assert first.timing_on(D(2021, 4, 1)) == "due"
    assert first.timing_on(D(2021, 5, 1)) == "overdue"
    assert first.timing_on(D(2021, 5, 11)) == "missed"
    first.status = MeasurementStatus.IN_PROGRESS
    assert first.timing_on(D(2021, 5, 11)) == "incomplete"


def test_sync_command_creates_schedules_for_stays_without_one(almelo):
    catalogue_from_data(almelo)
    stays = [StayFactory(site=almelo, placed_on=D(2021, 1, 1)) for _ in range(3)]
    call_command("sync_measurement_schedules")
    assert all(
        Measurement.objects.filter(stay=s, moment="nulmeting").exists() for s in stays
    )


def test_a_stay_past_its_expected_end_gets_its_next_tussenmeting_from_the_daily_sync(
    stay,
):
    from evaluation.selectors import stays_needing_schedule

    schedule_sync_for_stay(stay=stay, today=D(2021, 1, 10))
    assert not stays_needing_schedule(today=D(2021, 6, 1)).filter(pk=stay.pk)
    # still in the KV after the last planned tussenmeting (7 October)
    late = D(2021, 11, 1)
    assert stays_needing_schedule(today=late).filter(pk=stay.pk).exists()
    schedule_sync_for_stay(stay=stay, today=late)
    assert Measurement.objects.filter(
        stay=stay, moment="tussenmeting", due_on__gte=late
    ).exists()
    assert not stays_needing_schedule(today=late).filter(pk=stay.pk)


def test_a_stay_registered_years_after_placement_plans_no_past_tussenmetingen(almelo):
    from evaluation.selectors import schedule_counts, schedule_for_site

    catalogue_from_data(almelo)
    stay = StayFactory(site=almelo, placed_on=D(2019, 3, 1))
    today = D(2026, 11, 1)
    schedule_sync_for_stay(stay=stay, today=today)
    plan = {m.column_key: m for m in Measurement.objects.filter(stay=stay)}
    tussen = sorted(m.due_on for m in plan.values() if m.moment == "tussenmeting")
    # only the tussenmetingen whose window is still open or ahead
    assert tussen
    assert all(due >= today - datetime.timedelta(days=30) for due in tussen)
    assert len(tussen) <= 2
    # the nulmeting can still be filled in afterwards, but is nobody's to-do
    assert plan["nulmeting-0"].status == MeasurementStatus.NOT_TAKEN
    assert plan["nulmeting-0"].timing_on(today) == "not_taken"
    lists = schedule_for_site(site=almelo, today=today)
    listed = {m.pk for measurements in lists.values() for m in measurements}
    assert plan["nulmeting-0"].pk not in listed
    # at most the one tussenmeting whose window is still open can be overdue
    assert not lists["missed"]
    assert not lists["incomplete"]
    assert all(m.window_end >= today for m in lists["overdue"])
    counts = schedule_counts(site_ids={almelo.pk}, today=today)[0]
    assert counts["missed"] == 0
    assert counts["overdue"] == len(lists["overdue"]) <= 1


def test_an_outflow_registered_long_after_the_fact_leaves_nothing_overdue(stay):
    schedule_sync_for_stay(stay=stay, today=D(2021, 1, 10))
    stay.ended_on = D(2021, 5, 1)
    stay.outflow_type = "end_of_sentence"
    stay.save()
    # registered in 2023: eindmeting and both namentingen are history already
    schedule_sync_for_stay(stay=stay, today=D(2023, 1, 10))
    status = {m.column_key: m.status for m in Measurement.objects.filter(stay=stay)}
    assert status["eindmeting-0"] == MeasurementStatus.NOT_TAKEN
    assert status["nameting-6"] == MeasurementStatus.NOT_TAKEN
    assert status["nameting-12"] == MeasurementStatus.NOT_TAKEN
    # planned while still ahead, then missed: a real miss stays a miss
    assert status["tussenmeting-1"] == MeasurementStatus.PLANNED


def test_a_measurement_not_taken_can_still_be_entered_afterwards(almelo):
    from evaluation.services import measurement_save

    catalogue_from_data(almelo)
    stay = StayFactory(site=almelo, placed_on=D(2019, 3, 1))
    schedule_sync_for_stay(stay=stay, today=D(2026, 11, 1))
    nulmeting = Measurement.objects.get(stay=stay, moment="nulmeting")
    item = Item.objects.filter(
        catalogue=nulmeting.catalogue, answer_type="yes_no"
    ).first()
    from evaluation.services import AnswerInput

    saved = measurement_save(
        measurement=nulmeting,
        answers={item: AnswerInput(value=True)},
        expected_version=nulmeting.version,
        user=None,
    )
    assert saved.status == MeasurementStatus.IN_PROGRESS
    # and a later sync leaves it alone
    schedule_sync_for_stay(stay=stay, today=D(2026, 11, 2))
    nulmeting.refresh_from_db()
    assert nulmeting.status == MeasurementStatus.IN_PROGRESS


def test_moving_a_placement_date_back_into_history_plans_no_past_moments(stay):
    schedule_sync_for_stay(stay=stay, today=D(2021, 1, 10))
    stay.placed_on = D(2018, 1, 10)
    stay.save()
    schedule_sync_for_stay(stay=stay, today=D(2021, 1, 12))
    measurements = Measurement.objects.filter(stay=stay)
    open_past = [
        m.column_key
        for m in measurements
        if m.status == MeasurementStatus.PLANNED
        and m.window_end is not None
        and m.window_end < D(2021, 1, 12)
    ]
    assert open_past == []
    assert measurements.get(moment="nulmeting").status == MeasurementStatus.NOT_TAKEN

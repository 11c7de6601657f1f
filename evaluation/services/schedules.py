"""The measurement schedule per stay: which moments, when due, kept in
step with the stay.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.dates import add_days, add_months
from evaluation.catalogue import current_catalogue
from evaluation.models import (
    WITHOUT_DATA,
    Measurement,
    MeasurementStatus,
    Moment,
)

#: how far ahead tussenmetingen of a running stay are planned
SCHEDULE_HORIZON_DAYS = 2 * 366


def _window(
    due: datetime.date, earliest: datetime.date
) -> tuple[datetime.date, datetime.date]:
    days = settings.KV_MEASUREMENT_WINDOW_DAYS
    return max(add_days(due, -days), earliest), add_days(due, days)


def _planned_moments(
    stay: Any, today: datetime.date
) -> list[tuple[str, int, datetime.date | None, datetime.date]]:
    """(moment, sequence, due date, earliest window start) the stay should have."""
    placed: datetime.date = stay.placed_on
    ended: datetime.date | None = stay.ended_on
    interval = settings.KV_TUSSENMETING_INTERVAL_DAYS
    plan: list[tuple[str, int, datetime.date | None, datetime.date]] = [
        (Moment.NULMETING, 0, placed, placed)
    ]
    if ended is not None:
        bound = ended
    else:
        bound = add_days(
            max(getattr(stay, "expected_end", None) or today, today), interval
        )
        # A far expected end plans no further than the horizon; the daily
        # sync adds the later moments as time passes.
        bound = min(bound, add_days(today, SCHEDULE_HORIZON_DAYS))
    # add_days stops at the end of the plausible range, so the loop ends
    # there at the latest.
    sequence, due = 1, add_days(placed, interval)
    while due < bound:
        plan.append((Moment.TUSSENMETING, sequence, due, add_days(placed, 1)))
        following = add_days(due, interval)
        if following == due:
            break
        sequence, due = sequence + 1, following
    plan.append((Moment.EINDMETING, 0, ended, placed))
    for months in settings.KV_NAMETING_MONTHS:
        due_after = add_months(ended, int(months)) if ended else None
        plan.append((Moment.NAMETING, int(months), due_after, ended or placed))
    return plan


def _status_for_new_dates(
    measurement: Measurement, window_end: datetime.date | None, today: datetime.date
) -> str:
    """The status after a measurement's dates were (re)computed today.

    A window that had already closed when the dates were set was never a
    to-do: the measurement is "not taken (registered afterwards)" unless
    something was entered; a window still ahead makes it planned again.
    """
    has_answers = measurement.pk is not None and measurement.answers.exists()
    if has_answers:
        return MeasurementStatus.IN_PROGRESS
    if window_end is not None and window_end < today:
        return MeasurementStatus.NOT_TAKEN
    return MeasurementStatus.PLANNED


@transaction.atomic
def schedule_sync_for_stay(
    *, stay: Any, today: datetime.date | None = None
) -> list[Measurement]:
    """Create or adjust the measurement schedule of one stay; idempotent.

    Nulmeting at placement, a tussenmeting every configured interval while the
    stay lasts, eindmeting at outflow and the namentingen after it. When
    outflow comes early, tussenmetingen after the outflow date that hold no
    answers are cancelled, and the eindmeting and namentingen get their dates.
    Completed measurements are never moved.

    History is not turned into a to-do list: when a stay, placement or
    outflow is registered after the fact, a tussenmeting whose window has
    already closed is not created at all, and a nulmeting, eindmeting or
    nameting whose window has already closed is created (or re-dated) as
    "not taken (registered afterwards)": never due, overdue or missed, never
    exported, but it can still be filled in. A measurement that was planned
    while its window lay ahead keeps its status when the window passes, so a
    real miss still shows as missed.
    """
    today = today or timezone.localdate()
    catalogue = current_catalogue(stay.site)
    if catalogue is None:
        return []
    existing = {
        (m.moment, m.sequence): m
        for m in Measurement.objects.select_for_update().filter(stay=stay)
    }
    wanted = _planned_moments(stay, today)
    wanted_keys = set()
    result = []
    for moment, sequence, due, earliest in wanted:
        wanted_keys.add((moment, sequence))
        window = _window(due, earliest) if due else (None, None)
        measurement = existing.get((moment, sequence))
        if measurement is None:
            past = window[1] is not None and window[1] < today
            if past and moment == Moment.TUSSENMETING:
                continue
            measurement = Measurement(
                stay=stay,
                catalogue=catalogue,
                moment=moment,
                sequence=sequence,
                due_on=due,
                window_start=window[0],
                window_end=window[1],
                status=MeasurementStatus.NOT_TAKEN
                if past
                else MeasurementStatus.PLANNED,
            )
            measurement.full_clean()
            measurement.save()
        elif measurement.status != MeasurementStatus.COMPLETE:
            # Nothing answered yet: follow the site's newest catalogue version.
            if (
                measurement.catalogue_id != catalogue.pk
                and measurement.status in (*WITHOUT_DATA, MeasurementStatus.PLANNED)
                and not measurement.answers.exists()
            ):
                measurement.catalogue = catalogue
                measurement.version += 1
                measurement.save(update_fields=["catalogue", "version"])
            changed = (
                measurement.due_on != due
                or measurement.window_start != window[0]
                or measurement.window_end != window[1]
                or measurement.status == MeasurementStatus.CANCELLED
            )
            if changed:
                measurement.due_on = due
                measurement.window_start, measurement.window_end = window
                measurement.status = _status_for_new_dates(
                    measurement, window[1], today
                )
                measurement.version += 1
                measurement.full_clean()
                measurement.save()
        result.append(measurement)
    for key, measurement in existing.items():
        if key in wanted_keys or measurement.status in (
            MeasurementStatus.COMPLETE,
            MeasurementStatus.CANCELLED,
        ):
            continue
        if measurement.answers.exists():
            # Answers were given before outflow; keep them, they still count.
            continue
        measurement.status = MeasurementStatus.CANCELLED
        measurement.version += 1
        measurement.save(update_fields=["status", "version"])
    return result


def schedules_sync_due(*, every_stay: bool = False) -> int:
    """Sync the schedule of every stay that needs it (or of every stay);
    returns how many. Run daily by the worker; safe to run again."""
    from evaluation.selectors import stays_needing_schedule
    from trajectories.models import Stay

    stays = (
        Stay.objects.select_related("site") if every_stay else stays_needing_schedule()
    )
    count = 0
    for stay in stays:
        schedule_sync_for_stay(stay=stay)
        count += 1
    return count

"""Occupancy and length of stay, derived from placements, phase periods
and location periods; they are never stored.

All periods are half-open ``[start, end)``: the outflow day and the last
day of a period are not counted, so a stay from 1 to 3 March counts 2 days
and occupies a place on 1 and 2 March.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from core.models import CapacityPeriod, PlaceType, Site
from trajectories.models import LocationStatus, Stay, StayPhase

Segment = tuple[datetime.date, datetime.date | None, int]


def _days(start: datetime.date, end: datetime.date) -> Iterable[datetime.date]:
    day = start
    while day <= end:
        yield day
        day += datetime.timedelta(days=1)


def _covers(
    start: datetime.date, end: datetime.date | None, day: datetime.date
) -> bool:
    return start <= day and (end is None or day < end)


def _segments(stay: Stay) -> list[Segment]:
    """(start, end, place_type_id) of the places a stay held, bounded by its outflow."""
    phases = list(stay.phases.all())
    if not phases:
        return [(stay.placed_on, stay.ended_on, stay.place_type_id)]
    segments = []
    for period in phases:
        end = period.ended_on
        if stay.ended_on is not None and (end is None or end > stay.ended_on):
            end = stay.ended_on
        segments.append((period.started_on, end, period.place_type_id))
    return segments


def _stays_overlapping(
    site: Site, start: datetime.date, end: datetime.date
) -> QuerySet:
    return (
        Stay.objects.filter(site=site)
        .overlapping(start, end)
        .prefetch_related("phases", "locations")
    )


def _capacity_by_type_on(
    periods: list[CapacityPeriod], place_type_id: int, day: datetime.date
) -> int | None:
    matching = [
        p
        for p in periods
        if p.place_type_id == place_type_id
        and p.valid_from <= day
        and (p.valid_to is None or p.valid_to >= day)
    ]
    return max(matching, key=lambda p: p.valid_from).places if matching else None


def occupancy_by_day(
    *, site: Site, start: datetime.date, end: datetime.date
) -> list[dict[str, Any]]:
    """Occupied places per day from ``start`` to ``end`` (both included).

    Returns one dict per day, in date order::

        {
            "day": date,
            "occupied": int,            # stays holding a place that day
            "participants": int,
            "non_participants": int,    # e.g. regular ZBBI detainees (Krimpen)
            "capacity": int | None,     # realised places, summed over place types
                                        # (None when no place type has capacity)
            "by_place_type": [          # every place type of the site, by code
                {"code": str, "name": str, "occupied": int, "participants": int,
                 "non_participants": int, "capacity": int | None},
            ],
            "by_location": {            # LocationStatus value -> count
                "in_kv": int, "home_em": int, "returned_pi": int, "external": int,
            },
        }

    A stay holds the place type of its phase period that covers the day.
    Someone temporarily returned to the PI or at home with electronic
    monitoring still holds his place; ``by_location`` shows where people
    physically are. Planned capacity rows are ignored. Five queries,
    whatever the number of stays or days.
    """
    place_types = list(PlaceType.objects.filter(site=site).order_by("code"))
    capacity_periods = list(
        CapacityPeriod.objects.filter(place_type__site=site, planned=False)
    )
    stays = [(stay, _segments(stay)) for stay in _stays_overlapping(site, start, end)]
    rows = []
    for day in _days(start, end):
        by_type: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        by_location = dict.fromkeys(LocationStatus.values, 0)
        for stay, segments in stays:
            held = next((s for s in segments if _covers(s[0], s[1], day)), None)
            if held is None:
                continue
            by_type[held[2]][0 if stay.participant else 1] += 1
            location = next(
                (
                    period.status
                    for period in stay.locations.all()
                    if _covers(period.started_on, period.ended_on, day)
                ),
                LocationStatus.IN_KV,
            )
            by_location[location] += 1
        per_type = []
        for place_type in place_types:
            participants, others = by_type[place_type.pk]
            per_type.append(
                {
                    "code": place_type.code,
                    "name": place_type.name,
                    "occupied": participants + others,
                    "participants": participants,
                    "non_participants": others,
                    "capacity": _capacity_by_type_on(
                        capacity_periods, place_type.pk, day
                    ),
                }
            )
        capacities = [
            row["capacity"] for row in per_type if row["capacity"] is not None
        ]
        participants = sum(row["participants"] for row in per_type)
        others = sum(row["non_participants"] for row in per_type)
        rows.append(
            {
                "day": day,
                "occupied": participants + others,
                "participants": participants,
                "non_participants": others,
                "capacity": sum(capacities) if capacities else None,
                "by_place_type": per_type,
                "by_location": by_location,
            }
        )
    return rows


def _summary(days: list[int]) -> dict[str, Any]:
    return {
        "count": len(days),
        "median_days": statistics.median(days) if days else None,
        "mean_days": round(statistics.mean(days), 1) if days else None,
        "min_days": min(days) if days else None,
        "max_days": max(days) if days else None,
    }


def length_of_stay_by_phase(
    *,
    site: Site,
    start: datetime.date,
    end: datetime.date,
    participant: bool | None = None,
) -> dict[str, Any]:
    """Length of stay per programme phase, for stays that left the phase
    between ``start`` and ``end`` (both included).

    Returns::

        {
            "phases": [                 # in the site's phase order
                {"code": str, "name": str,
                 "count": int,          # stays that completed the phase
                 "median_days": float | None, "mean_days": float | None,
                 "min_days": int | None, "max_days": int | None,
                 "ongoing": int},       # still in the phase on ``end``
            ],
            "whole_stay": {"count", "median_days", "mean_days", "min_days",
                           "max_days", "ongoing"},
        }

    A stay's days in a phase are the sum of its periods in that phase (a
    stay that returned to a phase adds up). Periods without a phase count
    under code "" ("whole programme"). ``participant`` limits the figures
    to participants (True) or non-participants (False). Four queries.
    """
    phase_periods = (
        StayPhase.objects.filter(stay__site=site, started_on__lte=end)
        .select_related("phase", "stay")
        .order_by("stay_id", "started_on")
    )
    if participant is not None:
        phase_periods = phase_periods.filter(stay__participant=participant)
    per_stay_phase: dict[tuple[int, int | None], dict[str, Any]] = {}
    for period in phase_periods:
        stay = period.stay
        period_end = period.ended_on
        if stay.ended_on is not None and (
            period_end is None or period_end > stay.ended_on
        ):
            period_end = stay.ended_on
        key = (stay.pk, period.phase_id)
        entry = per_stay_phase.setdefault(
            key,
            {"phase": period.phase, "days": 0, "last_end": period_end, "open": False},
        )
        entry["days"] += ((period_end or end) - period.started_on).days
        entry["last_end"] = period_end
        entry["open"] = period_end is None or period_end > end
    phases: dict[int | None, dict[str, Any]] = {}
    for entry in per_stay_phase.values():
        phase = entry["phase"]
        bucket = phases.setdefault(
            phase.pk if phase else None, {"phase": phase, "done": [], "ongoing": 0}
        )
        if entry["open"]:
            bucket["ongoing"] += 1
        elif entry["last_end"] >= start:
            bucket["done"].append(entry["days"])
    ordered = sorted(
        phases.values(),
        key=lambda b: (b["phase"] is None, b["phase"].order if b["phase"] else 0),
    )
    stays = Stay.objects.filter(site=site, placed_on__lte=end)
    if participant is not None:
        stays = stays.filter(participant=participant)
    whole_done = [
        (s.ended_on - s.placed_on).days for s in stays.ended_between(start, end)
    ]
    whole_ongoing = stays.present_on(end).count()
    return {
        "phases": [
            {
                "code": b["phase"].code if b["phase"] else "",
                "name": b["phase"].name if b["phase"] else "",
                **_summary(b["done"]),
                "ongoing": b["ongoing"],
            }
            for b in ordered
        ],
        "whole_stay": {**_summary(whole_done), "ongoing": whole_ongoing},
    }

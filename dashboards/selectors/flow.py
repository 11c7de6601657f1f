"""Stays over time: inflow, outflow, occupancy, length of stay, exits.

Every function runs a fixed number of grouped queries, whatever the number of
stays, so the dashboards keep the same query count at national scale.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth

from core.models import CapacityPeriod
from dashboards.scope import Scope
from trajectories.models import Incident, OutflowType, Stay, StayPhase
from trajectories.models.incidents import Consequence
from trajectories.models.stays import StayQuerySet


@dataclass
class MonthFlow:
    month: datetime.date
    inflow_participants: int = 0
    inflow_others: int = 0
    outflow: int = 0


def stays_in(scope: Scope) -> StayQuerySet:
    """The scope's stays; count them with ``placed_between``, ``ended_between``
    and ``present_on`` (``trajectories.models.StayQuerySet``), the one
    definition of "geplaatst", "uitstroom" and "in de KV"."""
    return Stay.objects.filter(site_id__in=scope.site_ids)


def flow_by_month(scope: Scope) -> list[MonthFlow]:
    """Placements (split participant / non-participant) and outflow per month."""
    period = scope.period
    rows = {month: MonthFlow(month) for month in period.months()}
    placed = (
        stays_in(scope)
        .placed_between(period.start, period.end)
        .annotate(month=TruncMonth("placed_on"))
        .values("month", "participant")
        .annotate(n=Count("id"))
    )
    for row in placed:
        flow = rows[_as_date(row["month"])]
        if row["participant"]:
            flow.inflow_participants += row["n"]
        else:
            flow.inflow_others += row["n"]
    ended = (
        stays_in(scope)
        .ended_between(period.start, period.end)
        .annotate(month=TruncMonth("ended_on"))
        .values("month")
        .annotate(n=Count("id"))
    )
    for row in ended:
        rows[_as_date(row["month"])].outflow += row["n"]
    return list(rows.values())


def inflow_by_site_and_month(scope: Scope) -> dict[tuple[int, datetime.date], int]:
    """Placements in the period per site and month (participants or not), the
    inflow of ``flow_by_month`` split by site, in one query."""
    period = scope.period
    return {
        (row["site_id"], _as_date(row["month"])): row["n"]
        for row in stays_in(scope)
        .placed_between(period.start, period.end)
        .annotate(month=TruncMonth("placed_on"))
        .values("site_id", "month")
        .annotate(n=Count("id"))
        .order_by()
    }


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


@dataclass(slots=True)
class DayOccupancy:
    day: datetime.date
    participants: int
    others: int
    capacity: int

    @property
    def total(self) -> int:
        return self.participants + self.others


def occupancy_by_day(scope: Scope) -> list[DayOccupancy]:
    """Stays in the KV per day against realised capacity.

    A stay occupies a place from its placement day up to, not including, its
    outflow day (the rule of ``trajectories.services.occupied_on``). Counts
    are built from the number present on the first day plus the placements
    and outflows per day, so four grouped queries serve any period length.
    """
    period = scope.period
    start, end = period.start, period.end
    present = (
        stays_in(scope).present_on(start).values("participant").annotate(n=Count("id"))
    )
    current = {True: 0, False: 0}
    for row in present:
        current[row["participant"]] += row["n"]
    # per (day, participant) the change: plain values, no dict per day
    delta: dict[tuple[datetime.date, bool], int] = defaultdict(int)
    for placed_on, participant, count in (
        stays_in(scope)
        .filter(placed_on__gt=start, placed_on__lte=end)
        .values_list("placed_on", "participant")
        .annotate(n=Count("id"))
    ):
        delta[placed_on, participant] += count
    for ended_on, participant, count in (
        stays_in(scope)
        .filter(ended_on__gt=start, ended_on__lte=end)
        .values_list("ended_on", "participant")
        .annotate(n=Count("id"))
    ):
        delta[ended_on, participant] -= count
    capacity = capacity_by_day(scope)
    days = []
    day = start
    while day <= end:
        if day != start:
            current[True] += delta.get((day, True), 0)
            current[False] += delta.get((day, False), 0)
        days.append(DayOccupancy(day, current[True], current[False], capacity[day]))
        day += datetime.timedelta(days=1)
    return days


def capacity_by_day(scope: Scope) -> dict[datetime.date, int]:
    """Realised places per day; for each place type the latest period counts."""
    period = scope.period
    rows = (
        CapacityPeriod.objects.filter(
            place_type__site_id__in=scope.site_ids,
            planned=False,
            valid_from__lte=period.end,
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=period.start))
        .values_list("place_type_id", "valid_from", "valid_to", "places")
        .order_by("place_type_id", "valid_from")
    )
    by_type: dict[int, list[tuple]] = defaultdict(list)
    for place_type, valid_from, valid_to, places in rows:
        by_type[place_type].append((valid_from, valid_to, places))
    days = period.days
    totals = [0] * days
    for periods in by_type.values():
        # per place type the latest period covering a day counts: later
        # periods (in valid_from order) overwrite earlier ones
        places = [0] * days
        for valid_from, valid_to, count in periods:
            first = max(0, (valid_from - period.start).days)
            last = days - 1 if valid_to is None else (valid_to - period.start).days
            last = min(last, days - 1)
            if first <= last:
                places[first : last + 1] = [count] * (last - first + 1)
        totals = [a + b for a, b in zip(totals, places, strict=True)]
    return {
        period.start + datetime.timedelta(days=offset): total
        for offset, total in enumerate(totals)
    }


@dataclass
class LengthStats:
    key: str
    label: str
    count: int
    median: float
    minimum: int
    maximum: int


def _stats(key: str, label: str, values: list[int]) -> LengthStats:
    return LengthStats(
        key=key,
        label=label,
        count=len(values),
        median=float(statistics.median(values)),
        minimum=min(values),
        maximum=max(values),
    )


WHOLE_STAY = "stay"


@dataclass
class PhaseDays:
    code: str
    name: str
    order: int
    #: days per stay that completed the phase in the period
    done: dict[int, int] = field(default_factory=dict)


def phase_days(scope: Scope) -> list[PhaseDays]:
    """Days per stay in each programme phase, for phases left in the period.

    The rule of ``trajectories.selectors.length_of_stay_by_phase``, over any
    number of sites: a stay's periods in one phase add up, a period ends at
    the outflow at the latest, and a phase still open on the last day of the
    period is not counted. Periods without a phase count under code "".
    """
    period = scope.period
    rows = (
        StayPhase.objects.filter(
            stay__site_id__in=scope.site_ids, started_on__lte=period.end
        )
        .filter(Q(stay__ended_on__isnull=True) | Q(stay__ended_on__gte=period.start))
        .order_by("stay_id", "started_on")
        .values_list(
            "stay_id",
            "stay__ended_on",
            "phase__code",
            "phase__name",
            "phase__order",
            "started_on",
            "ended_on",
        )
    )
    # One pass over plain tuples (about 25,000 at national scale) into two
    # dicts of plain values: nothing built per row, and no container per
    # (stay, phase) that the garbage collector would have to trace.
    last_day = period.end
    days: dict[tuple[int, str], int] = {}
    last_end: dict[tuple[int, str], datetime.date | None] = {}
    first_seen: dict[str, tuple[str | None, int | None]] = {}
    for stay_id, stay_end, code, name, order, started, ended in rows:
        if stay_end is not None and (ended is None or ended > stay_end):
            ended = stay_end
        key = (stay_id, code or "")
        if key in days:
            days[key] += ((ended or last_day) - started).days
        else:
            days[key] = ((ended or last_day) - started).days
            first_seen.setdefault(key[1], (name, order))
        last_end[key] = ended
    phases = {
        code: PhaseDays(code, name or "", order or 0)
        for code, (name, order) in first_seen.items()
    }
    first = period.start
    for key, ended in last_end.items():
        if ended is not None and first <= ended <= last_day:
            phases[key[1]].done[key[0]] = days[key]
    return sorted(phases.values(), key=lambda p: (p.code == "", p.order, p.code))


def length_of_stay_by_phase(scope: Scope) -> list[LengthStats]:
    """Median and range of the days per phase, then of the whole stay."""
    found = [
        _stats(phase.code, phase.name, list(phase.done.values()))
        for phase in phase_days(scope)
        if phase.done
    ]
    whole = [
        (ended - placed).days
        for placed, ended in stays_in(scope)
        .ended_between(scope.period.start, scope.period.end)
        .values_list("placed_on", "ended_on")
    ]
    if whole:
        found.append(_stats(WHOLE_STAY, "", whole))
    return found


@dataclass
class ExitCount:
    key: str
    label: str
    count: int


TEMPORARY_RETURN = "temporary_return"


def temporary_returns(scope: Scope) -> QuerySet[Incident]:
    """Incidents in the period decided with a temporary return to the PI."""
    period = scope.period
    return Incident.objects.filter(
        stay__site_id__in=scope.site_ids,
        consequence=Consequence.TEMPORARY_RETURN,
        occurred_on__range=(period.start, period.end),
    )


def exits_by_type(scope: Scope) -> list[ExitCount]:
    """Outflow per type in the period, plus temporary returns to the PI.

    Definitive returns are an outflow type; temporary returns are decided on
    incidents and do not end the stay, so they are counted separately.
    """
    period = scope.period
    counts = dict(
        stays_in(scope)
        .ended_between(period.start, period.end)
        .values_list("outflow_type")
        .annotate(n=Count("id"))
    )
    found = [
        ExitCount(value, str(label), counts.get(value, 0))
        for value, label in OutflowType.choices
    ]
    temporary = temporary_returns(scope).count()
    found.append(
        ExitCount(TEMPORARY_RETURN, str(Consequence.TEMPORARY_RETURN.label), temporary)
    )
    return found


@dataclass
class SiteSummary:
    site_id: int
    inflow: int = 0
    outflow: int = 0
    present_at_end: int = 0
    capacity_at_end: int = 0


def site_summaries(scope: Scope) -> dict[int, SiteSummary]:
    """Per site: inflow and outflow in the period, and occupancy on its last day."""
    period = scope.period
    found = {site_id: SiteSummary(site_id) for site_id in scope.site_ids}
    for site_id, count in (
        stays_in(scope)
        .placed_between(period.start, period.end)
        .values_list("site_id")
        .annotate(n=Count("id"))
    ):
        found[site_id].inflow = count
    for site_id, count in (
        stays_in(scope)
        .ended_between(period.start, period.end)
        .values_list("site_id")
        .annotate(n=Count("id"))
    ):
        found[site_id].outflow = count
    for site_id, count in (
        stays_in(scope)
        .present_on(period.end)
        .values_list("site_id")
        .annotate(n=Count("id"))
    ):
        found[site_id].present_at_end = count
    rows = (
        CapacityPeriod.objects.filter(
            place_type__site_id__in=scope.site_ids,
            planned=False,
            valid_from__lte=period.end,
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=period.end))
        .order_by("place_type_id", "valid_from")
        .values_list("place_type__site_id", "place_type_id", "places")
    )
    latest: dict[int, tuple[int, int]] = {}
    for site_id, place_type, places in rows:
        latest[place_type] = (site_id, places)
    for site_id, places in latest.values():
        found[site_id].capacity_at_end += places
    return found

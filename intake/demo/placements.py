"""Planning the demo placements: a small occupancy simulation keeps them
within each place type's realised capacity (a candidate waits for a free
place), with a stay length inside the site's limits, its outflow, phase
changes and incidents.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q

from core.demo import DemoContext
from core.models import CapacityPeriod, PlaceType, Site, SiteStatus
from intake.demo.flows import DAY, MONTH_DAYS, Flow, stay_limits
from intake.models import CheckResult, IntakeCase
from intake.services import criterion_check_record


@dataclass
class Placement:
    """A planned placement and the course of the stay, for the trajectories step."""

    case: IntakeCase
    decided_on: datetime.date
    placed_on: datetime.date
    place_type: PlaceType
    expected_end: datetime.date
    ends_on: datetime.date | None  # None: still in the KV today
    outflow_type: str
    phase_changes: list[tuple[datetime.date, PlaceType]] = field(default_factory=list)
    incidents: list[tuple[datetime.date, str, int | None]] = field(default_factory=list)


def _place_type_on(site: Site, day: datetime.date) -> CapacityPeriod | None:
    return (
        CapacityPeriod.objects.filter(
            place_type__site=site, planned=False, valid_from__lte=day
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .select_related("place_type")
        .order_by("-places")
        .first()
    )


def _check_criteria(
    ctx: DemoContext, case: IntakeCase, day: datetime.date, user: object
) -> None:
    if case.criteria_version is None:
        return
    # A placement needs the whole checklist answered. Rotterdam applied its
    # criteria 'somewhat flexibly' (report L4212-4213, L4316-4319); exceptions
    # are only possible on criteria that are not hard.
    flexible = case.site.code == "rotterdam"
    for criterion in case.criteria_version.criteria.all():
        chance = 0.3 if flexible else 0.05
        exception = not criterion.hard and ctx.rng.random() < chance
        criterion_check_record(
            case=case,
            criterion=criterion,
            result=CheckResult.EXCEPTION if exception else CheckResult.MET,
            exception_reason="Enigszins flexibel toegepast (demo)" if exception else "",
            checked_on=day,
            actor=user,
        )


class Occupancy:
    """Planned stays per place type as (start, end) segments; end exclusive,
    like the services count (the outflow day is free again)."""

    def __init__(self) -> None:
        self.segments: list[tuple[int, datetime.date, datetime.date]] = []

    def taken(self, place_type_id: int, day: datetime.date) -> int:
        return sum(
            1
            for pt, start, end in self.segments
            if pt == place_type_id and start <= day < end
        )

    def fits(self, place_type_id: int, day: datetime.date, places: int) -> bool:
        """A stay from ``day`` fits when the place type has room on ``day``
        and on every later day another stay starts there - the same days the
        capacity check of the services looks at."""
        later = {start for pt, start, _end in self.segments if pt == place_type_id}
        return all(
            self.taken(place_type_id, check) < places
            for check in [day, *(d for d in later if d > day)]
        )


def _length(ctx: DemoContext, site: Site, flow: Flow) -> int:
    low, high = stay_limits(site)
    mode = min(max(round(flow.stay_months[1] * MONTH_DAYS), low), high)
    return round(ctx.rng.triangular(low, high, mode))


OUTFLOWS = [
    ("end_of_sentence", 55),
    ("detention_phasing", 20),
    ("return_to_pi", 8),
    ("transfer", 7),
    ("withdrawal", 5),
]


def _course(
    ctx: DemoContext,
    site: Site,
    flow: Flow,
    period: CapacityPeriod,
    placed_on: datetime.date,
) -> tuple[int, str, list[tuple[datetime.date, PlaceType]], int]:
    """Length in days, outflow type, later place types and expected length of
    a planned stay."""
    low, _high = stay_limits(site)
    length = _length(ctx, site, flow)
    expected = length
    outflow = ctx.rng.choices(
        [code for code, _w in OUTFLOWS], weights=[w for _c, w in OUTFLOWS]
    )[0]
    if outflow in ("return_to_pi", "transfer", "withdrawal"):
        length = ctx.rng.randint(low, max(low, length))
    elif outflow == "detention_phasing":
        length = max(low, round(length * ctx.rng.uniform(0.7, 0.95)))
    changes: list[tuple[datetime.date, PlaceType]] = []
    current = period
    while current.valid_to is not None and placed_on + DAY * length > current.valid_to:
        # Where the realised capacity moves to another place type on the same
        # day (Krimpen DC II -> DC IIa, May 2020) the stay moves along;
        # otherwise the KV closes and the stay ends with it (Rotterdam).
        follow = (
            CapacityPeriod.objects.filter(
                place_type__site=site,
                planned=False,
                valid_from__range=(current.valid_to - DAY, current.valid_to + DAY),
            )
            .exclude(place_type=current.place_type)
            .select_related("place_type")
            .first()
        )
        if follow is None:
            return (current.valid_to - placed_on).days, "kv_closed", changes, expected
        changes.append((follow.valid_from, follow.place_type))
        current = follow
    return length, outflow, changes, expected


def _plan_placement(
    ctx: DemoContext,
    flow: Flow,
    case: IntakeCase,
    ready_on: datetime.date,
    occupancy: Occupancy,
    user: object,
) -> Placement | None:
    """Find a free place from ``ready_on`` (waiting up to six weeks) and plan
    the stay; None when no place came free in time or it would be after today."""
    site = case.site
    decided = ready_on + DAY * ctx.rng.randint(3, 10)
    wanted = decided + DAY * ctx.rng.randint(1, 7)
    if case.report_date and case.report_date > decided:
        wanted = case.report_date
    latest = wanted + DAY * 42
    day = wanted
    while day <= min(latest, ctx.today):
        period = _place_type_on(site, day)
        status = site.status_on(day)
        if period is None or status is None or status.status != SiteStatus.OPEN:
            return None
        if occupancy.fits(period.place_type_id, day, period.places):
            break
        day += DAY * 2
    else:
        return None
    placed_on = day
    decided = min(decided, placed_on)
    length, outflow, changes, expected = _course(ctx, site, flow, period, placed_on)
    end = placed_on + DAY * length
    # Segments for the occupancy: one per place type the stay holds.
    starts = [(placed_on, period.place_type), *changes]
    for index, (start, place_type) in enumerate(starts):
        stop = starts[index + 1][0] if index + 1 < len(starts) else end
        occupancy.segments.append((place_type.pk, start, stop))
    _check_criteria(ctx, case, decided - DAY, user)
    placement = Placement(
        case=case,
        decided_on=decided,
        placed_on=placed_on,
        place_type=period.place_type,
        expected_end=placed_on + DAY * expected,
        ends_on=end if end <= ctx.today else None,
        outflow_type=outflow,
        phase_changes=[c for c in changes if c[0] <= ctx.today],
    )
    _plan_incidents(ctx, placement, end)
    return placement


def _plan_incidents(ctx: DemoContext, placement: Placement, end: datetime.date) -> None:
    last = min(end, ctx.today)
    span = (last - placement.placed_on).days
    if placement.outflow_type == "return_to_pi" and placement.ends_on:
        # The definitive return is the consequence of an incident that day.
        placement.incidents.append((placement.ends_on, "definitive_return", None))
    roll = ctx.rng.random()
    if span > 60 and roll < 0.18:
        return_days = ctx.rng.choice([14, 21, 28]) if roll < 0.07 else None
        day = placement.placed_on + DAY * ctx.rng.randint(20, span - 35)
        consequence = "temporary_return" if return_days else "warning"
        placement.incidents.insert(0, (day, consequence, return_days))

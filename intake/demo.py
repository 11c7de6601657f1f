"""Demo intake cases, made through the intake services like in the UI.

Cases follow each site's status over time (``Site.status_periods``): they are
only opened while a site is open, so Amsterdam (never realised) gets none,
Rotterdam only April 2019 - July 2020 and Middelburg none while its intake
was frozen. The last two years up to today get a steady flow; older open
periods a lighter one. Cases opened in the last weeks are still open at the
stage they reached, so the worklist has current candidates.

Placements are planned here, with a small occupancy simulation that keeps
them within each place type's realised capacity (a candidate waits for a
free place), and a stay length inside the site's limits. The plans go to
``ctx.extra["placements"]`` in date order; the trajectories step carries them
out (placement, phase changes, incidents, outflow) in date order, so the
capacity checks of the services see the same occupancy.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field

from django.db.models import Q

from core.demo import DemoContext, demo_person
from core.models import CapacityPeriod, PlaceType, Site, SiteStatus
from intake.models import (
    AwarenessChannel,
    CheckResult,
    EndReasonCode,
    IntakeCase,
    IntakeOutcome,
    StageEvent,
    StageKind,
    StageOutcome,
)
from intake.services import (
    EndReasonInput,
    case_close,
    case_open,
    criterion_check_record,
    document_record,
    prescan_answer_record,
    process_on,
    stage_event_performer_change,
    stage_event_record,
)
from partners.models import Organisation

DAY = datetime.timedelta(days=1)
FULL_FLOW_DAYS = 730  # the last two years get the steady flow
MONTH_DAYS = 30.44


@dataclass(frozen=True)
class End:
    """A way a case ends without placement: at which stage, with which reasons."""

    weight: int
    outcome: str
    at: str
    reasons: tuple[str, ...]
    objecting: str = ""


@dataclass(frozen=True)
class Flow:
    """How busy a site's intake is, in the demo."""

    gap_days: int  # mean days between new cases in the last two years
    history_gap_days: int  # mean days between new cases before that
    stage_days: tuple[int, int]  # days a stage takes
    open_days: int  # cases opened this recently are mostly still open
    placed_weight: int  # against the weights of the ends below
    ends: tuple[End, ...]
    stay_months: tuple[float, float, float]  # min, most common, max
    report_after_days: int | None = None  # self-reporters: report date


R = IntakeOutcome
FLOWS: dict[str, Flow] = {
    "almelo": Flow(
        gap_days=8,
        history_gap_days=90,
        stage_days=(3, 10),
        open_days=60,
        placed_weight=55,
        ends=(
            End(8, R.REJECTED, "weegtafel", ("negative_advice",)),
            End(4, R.REJECTED, "weegtafel", ("not_group_suitable",)),
            End(6, R.REJECTED, "selection", ("criterion_not_met",)),
            End(3, R.REJECTED, "victim_consent", ("no_victim_consent",)),
            End(6, R.DECLINED, "motivation_letter", ("prefers_other_regime",)),
            End(5, R.DECLINED, "motivation_letter", ("not_interested",)),
            End(4, R.WAITLISTED, "dossier_waitlist", ("time_too_short",)),
            End(3, R.WITHDRAWN, "intake_interview", ("time_too_short",)),
        ),
        stay_months=(2, 9, 18),  # the site's own limits win, see stay_limits
    ),
    "krimpen": Flow(
        gap_days=12,
        history_gap_days=50,
        stage_days=(2, 9),
        open_days=75,
        placed_weight=55,
        ends=(
            End(8, R.REJECTED, "application_review", ("negative_advice",)),
            End(5, R.REJECTED, "mdo_decision", ("criterion_not_met",)),
            End(5, R.REJECTED, "trial_period", ("negative_advice",)),
            End(6, R.DECLINED, "application", ("not_interested",)),
            End(3, R.WITHDRAWN, "introduction", ("time_too_short",)),
        ),
        stay_months=(3, 12, 18),
    ),
    "middelburg": Flow(
        gap_days=9,
        history_gap_days=150,
        stage_days=(2, 6),
        open_days=56,
        placed_weight=60,
        ends=(
            End(4, R.HANDED_BACK, "prescan", ("prescan_objection",), "om"),
            End(3, R.HANDED_BACK, "prescan", ("prescan_objection",), "veiligheidshuis"),
            End(6, R.REJECTED, "employer_consent", ("employer_refused",)),
            End(4, R.REJECTED, "screening", ("criterion_not_met",)),
            End(6, R.DECLINED, "invitation", ("not_interested",)),
        ),
        stay_months=(0.5, 3, 6),
        report_after_days=56,
    ),
    "rotterdam": Flow(
        gap_days=25,
        history_gap_days=25,
        stage_days=(3, 12),
        open_days=0,
        placed_weight=20,
        ends=(
            End(10, R.REJECTED, "nomination", ("criterion_not_met",)),
            End(4, R.DECLINED, "rc_decision", ("prefers_other_regime",)),
        ),
        stay_months=(1, 2.5, 4),
    ),
}


@dataclass
class Plan:
    """What happens to one demo case."""

    opened_on: datetime.date
    end: str = IntakeOutcome.OPEN  # an IntakeOutcome
    at: str = ""  # stage code where a negative end happens
    reasons: tuple[str, ...] = ()
    objecting: str = ""  # pre-scan partner that objects


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


def stay_limits(site: Site) -> tuple[int, int]:
    """Shortest and longest demo stay in days: the site's own stay limits
    where the report gives them (Almelo 2-18 months), else the demo flow's."""
    flow = FLOWS.get(site.code)
    low = site.stay_min_months or (flow.stay_months[0] if flow else 1)
    high = site.stay_max_months or (flow.stay_months[2] if flow else 12)
    return math.ceil(float(low) * MONTH_DAYS), math.floor(float(high) * 30)


def open_periods(
    site: Site, today: datetime.date
) -> list[tuple[datetime.date, datetime.date]]:
    """The site's open periods up to today, adjacent periods merged."""
    periods: list[tuple[datetime.date, datetime.date]] = []
    for status in site.status_periods.filter(status=SiteStatus.OPEN).order_by("start"):
        start, end = status.start, min(status.end or today, today)
        if start > end:
            continue
        if periods and start <= periods[-1][1] + DAY:
            periods[-1] = (periods[-1][0], max(periods[-1][1], end))
        else:
            periods.append((start, end))
    return periods


def _opening_days(ctx: DemoContext, site: Site, flow: Flow) -> list[datetime.date]:
    days = []
    full_from = ctx.today - DAY * FULL_FLOW_DAYS
    for start, end in open_periods(site, ctx.today):
        day = start + DAY * ctx.rng.randint(3, 10)
        last = end - DAY * (3 if end >= ctx.today else 45)
        while day <= last:
            days.append(day)
            mean = flow.gap_days if day >= full_from else flow.history_gap_days
            following = day + DAY * max(1, round(ctx.rng.expovariate(1 / mean)))
            if day < full_from < following:
                # A long historic gap must not skip the steady recent flow.
                following = full_from + DAY * ctx.rng.randint(0, flow.gap_days)
            day = following
    return days


def _plan_for(ctx: DemoContext, flow: Flow, opened_on: datetime.date) -> Plan:
    recent = (ctx.today - opened_on).days < flow.open_days
    if recent and ctx.rng.random() < 0.8:
        return Plan(opened_on)
    weights = [flow.placed_weight, *(end.weight for end in flow.ends)]
    choice = ctx.rng.choices(range(len(weights)), weights=weights)[0]
    if choice == 0:
        return Plan(opened_on, IntakeOutcome.PLACED) if not recent else Plan(opened_on)
    end = flow.ends[choice - 1]
    return Plan(opened_on, end.outcome, end.at, end.reasons, end.objecting)


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


def _referrer(route_code: str) -> Organisation | None:
    kinds = {
        "partner_referral": ["municipality", "probation"],
        "probation_raadkamer": ["probation"],
        "raadkamer_advice": ["probation"],
        "lawyer": ["lawyer"],
        "safety_house": ["safety_house"],
        "diz_call_up": ["diz"],
        "dji_list": ["dji"],
    }.get(route_code, [])
    return Organisation.objects.filter(kind__in=kinds).order_by("name").first()


def _stage_days(ctx: DemoContext, flow: Flow, stage: object) -> int:
    # A stage with a fixed term (Krimpen's six-week trial period) takes it.
    term = getattr(stage, "due_offset_days", None)
    if term and term > 0:
        return term + ctx.rng.randint(-2, 3)
    return ctx.rng.randint(*flow.stage_days)


def _walk(
    ctx: DemoContext, flow: Flow, case: IntakeCase, plan: Plan, user: object
) -> tuple[datetime.date, bool]:
    """Record the stages of ``case`` up to the plan's stop; returns the last
    date and whether every stage before the decision was passed."""
    day = case.opened_on
    done: dict[str, datetime.date] = {}
    for stage in case.process.stages.all():
        if stage.kind == StageKind.DECISION:
            if plan.at == stage.code and plan.end == IntakeOutcome.REJECTED:
                day = max(done.values(), default=day) + DAY * 5
                if day > ctx.today:
                    return day, False
                stage_event_record(
                    case=case, stage=stage, occurred_on=day,
                    outcome=StageOutcome.NEGATIVE, actor=user,
                )  # fmt: skip
            break
        if stage.optional and plan.at != stage.code and ctx.rng.random() < 0.5:
            continue
        start = max((done[c] for c in stage.requires), default=case.opened_on)
        day = start + DAY * _stage_days(ctx, flow, stage)
        if day > ctx.today:
            return day, False
        failing = plan.at == stage.code and plan.end != IntakeOutcome.OPEN
        if failing and plan.end in (IntakeOutcome.WITHDRAWN, IntakeOutcome.WAITLISTED):
            if stage.kind == StageKind.WAITLIST:
                return day + DAY * 60, False
            return day, False
        if stage.kind == StageKind.PRESCAN:
            for partner in stage.prescan_partners:
                prescan_answer_record(
                    case=case, partner=partner, asked_on=start,
                    answered_on=day, objection=failing and partner == plan.objecting,
                    actor=user,
                )  # fmt: skip
        else:
            positive = "positive" in stage.outcomes
            outcome = (
                StageOutcome.NEGATIVE
                if failing
                else StageOutcome.POSITIVE
                if positive
                else StageOutcome.COMPLETED
            )
            if failing and "negative" not in stage.outcomes:
                return day, False
            stage_event_record(
                case=case, stage=stage, occurred_on=day, outcome=outcome, actor=user
            )
        # The first document of a stage, and every consent statement: the
        # consents a site requires before placement come from the intake.
        documents = [
            d for i, d in enumerate(stage.documents) if i == 0 or d.get("consent")
        ]
        for document in documents:
            document_record(
                case=case, stage=stage, document_code=document["code"],
                received_on=day, actor=user,
            )  # fmt: skip
        done[stage.code] = day
        if failing:
            return day, False
    return max(done.values(), default=day), True


def _close(
    case: IntakeCase,
    outcome: str,
    reasons_codes: tuple[str, ...],
    day: datetime.date,
    user: object,
    at: str = "",
    objecting: str = "",
) -> None:
    reasons = []
    stage = case.process.stages.filter(code=at).first() if at else None
    for code in reasons_codes:
        if code == EndReasonCode.CRITERION_NOT_MET:
            criterion = case.criteria_version.criteria.first()
            reasons.append(EndReasonInput(code=code, criterion=criterion, stage=stage))
        elif code == EndReasonCode.PRESCAN_OBJECTION:
            reasons.append(
                EndReasonInput(code=code, prescan_partner=objecting, stage=stage)
            )
        else:
            reasons.append(EndReasonInput(code=code, stage=stage))
    case_close(case=case, outcome=outcome, closed_on=day, actor=user, reasons=reasons)


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


def seed_intake(ctx: DemoContext) -> None:
    """Open, walk and end the demo cases of every site, in date order."""
    placements: list[Placement] = ctx.extra.setdefault("placements", [])
    for code, site in ctx.sites.items():
        flow = FLOWS.get(code)
        if flow is None:
            continue
        user = ctx.casemanager(site)
        occupancy = Occupancy()
        for opened_on in _opening_days(ctx, site, flow):
            plan = _plan_for(ctx, flow, opened_on)
            process = process_on(site=site, day=opened_on)
            routes = [r for r in process.entry_routes.all() if not r.planned_only]
            route = ctx.rng.choice(routes)
            case = case_open(
                site=site,
                person=demo_person(ctx, site, registered_on=opened_on),
                opened_on=opened_on,
                entry_route=route,
                created_by=user,
                referring_organisation=_referrer(route.code),
                referring_person="Demo-verwijzer" if route.code != "dji_list" else "",
                heard_via=ctx.rng.choice(AwarenessChannel.values[1:]),
                report_date=opened_on + DAY * flow.report_after_days
                if flow.report_after_days
                else None,
            )
            day, complete = _walk(ctx, flow, case, plan, user)
            if plan.end == IntakeOutcome.PLACED and complete:
                placement = _plan_placement(ctx, flow, case, day, occupancy, user)
                if placement is not None:
                    placements.append(placement)
                elif day + DAY * 60 <= ctx.today:
                    # No place came free in time.
                    _close(
                        case, IntakeOutcome.WITHDRAWN, ("site_not_available",),
                        day + DAY * 50, user,
                    )  # fmt: skip
            elif (
                plan.end not in (IntakeOutcome.OPEN, IntakeOutcome.PLACED)
                and day <= ctx.today
            ):
                _close(case, plan.end, plan.reasons, day, user, plan.at, plan.objecting)
    placements.sort(key=lambda p: (p.placed_on, p.case.pk))


def seed_taken_over_stages(ctx: DemoContext) -> None:
    """Tasks taken over by the KV, as the report describes them.

    Middelburg: the screening and the advice are agreed to Reclassering
    Nederland (table 2.4.1, L2233-2234), but the reclassering had too little
    capacity to contribute to the intake, so the advice after the pre-scan
    is written by the PI instead (L3999-4001, L4011-4014, L4044-4046). Every
    demo screening records the PI as the organisation that did it.
    """
    pi = Organisation.objects.filter(name="PI Middelburg").first()
    if pi is None:
        return
    events = StageEvent.objects.filter(
        case__site__code="middelburg", stage__code="screening"
    ).select_related("case__site")
    for event in events:
        stage_event_performer_change(event=event, organisation=pi)

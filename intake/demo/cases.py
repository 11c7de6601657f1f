"""Demo intake cases, opened, walked through their stages and ended
through the intake services like in the UI; the planned placements go to
``ctx.extra["placements"]`` for the trajectories step.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from core.demo import DemoContext, demo_person
from core.models import Site
from intake.demo.flows import DAY, FLOWS, FULL_FLOW_DAYS, Flow, open_periods
from intake.demo.placements import Occupancy, Placement, _plan_placement
from intake.models import (
    AwarenessChannel,
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
    document_record,
    prescan_answer_record,
    process_on,
    stage_event_performer_change,
    stage_event_record,
)
from partners.models import Organisation


@dataclass
class Plan:
    """What happens to one demo case."""

    opened_on: datetime.date
    end: str = IntakeOutcome.OPEN  # an IntakeOutcome
    at: str = ""  # stage code where a negative end happens
    reasons: tuple[str, ...] = ()
    objecting: str = ""  # pre-scan partner that objects


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

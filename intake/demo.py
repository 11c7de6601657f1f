"""Demo intake cases for all five sites, made through the intake services.

Fictitious cases that follow each site's status over time: no placements in
Amsterdam (never realised), Rotterdam only while open (April 2019 - July
2020), no call-ups in Middelburg while intake was frozen (March - August
2020). Rotterdam gets four placements, not the reported nine: stays are only
ended by later demo steps, and the four realised places would otherwise be
full. Created stays go to ``ctx.extra["stays"]``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q

from core.demo import DemoContext
from core.models import CapacityPeriod, Person, PlaceType, Site
from intake.models import (
    AwarenessChannel,
    CheckResult,
    EndReasonCode,
    IntakeCase,
    IntakeOutcome,
    StageKind,
    StageOutcome,
)
from intake.services import (
    EndReasonInput,
    case_close,
    case_open,
    case_place,
    criterion_check_record,
    document_record,
    prescan_answer_record,
    stage_event_record,
)
from partners.models import Organisation

D = datetime.date


@dataclass
class Plan:
    """What happens to one demo case."""

    opened_on: datetime.date
    end: str = IntakeOutcome.OPEN  # an IntakeOutcome
    at: str = ""  # stage code where a negative end happens / open case stops
    reasons: list[str] = field(default_factory=list)
    objecting: str = ""  # pre-scan partner that objects


def _plans(ctx: DemoContext) -> dict[str, list[Plan]]:
    recent = [ctx.today - datetime.timedelta(days=d) for d in (75, 40, 21, 6)]
    return {
        "almelo": [
            *[
                Plan(
                    D(2020, 12, 14) + datetime.timedelta(days=14 * i),
                    IntakeOutcome.PLACED,
                )
                for i in range(6)
            ],
            Plan(
                D(2020, 11, 16),
                IntakeOutcome.REJECTED,
                "weegtafel",
                ["negative_advice"],
            ),
            Plan(
                D(2021, 2, 8),
                IntakeOutcome.REJECTED,
                "weegtafel",
                ["not_group_suitable"],
            ),
            Plan(
                D(2020, 12, 1),
                IntakeOutcome.DECLINED,
                "motivation_letter",
                ["prefers_other_regime"],
            ),
            Plan(
                D(2021, 1, 11),
                IntakeOutcome.DECLINED,
                "motivation_letter",
                ["not_interested"],
            ),
            Plan(
                D(2021, 2, 15),
                IntakeOutcome.REJECTED,
                "selection",
                ["criterion_not_met"],
            ),
            Plan(
                D(2021, 3, 1),
                IntakeOutcome.REJECTED,
                "victim_consent",
                ["no_victim_consent"],
            ),
            Plan(
                D(2021, 2, 22),
                IntakeOutcome.WAITLISTED,
                "dossier_waitlist",
                ["time_too_short"],
            ),
            *[
                Plan(day, IntakeOutcome.OPEN, at)
                for day, at in zip(
                    recent,
                    ["weegtafel", "intake_interview", "dossier_mdo", "inform_detainee"],
                    strict=True,
                )
            ],
        ],
        "amsterdam": [
            Plan(
                D(2019, 10, 7),
                IntakeOutcome.WITHDRAWN,
                "screening_mdo",
                ["site_not_available"],
            ),
            Plan(
                D(2020, 1, 13),
                IntakeOutcome.REJECTED,
                "weegcommissie",
                ["negative_advice"],
            ),
            Plan(
                D(2020, 6, 2),
                IntakeOutcome.WITHDRAWN,
                "diz_ratification",
                ["site_not_available"],
            ),
        ],
        "krimpen": [
            *[
                Plan(
                    D(2019, 1, 7) + datetime.timedelta(days=42 * i),
                    IntakeOutcome.PLACED,
                )
                for i in range(8)
            ],
            Plan(
                D(2019, 3, 4),
                IntakeOutcome.REJECTED,
                "application_review",
                ["negative_advice"],
            ),
            Plan(
                D(2019, 9, 2),
                IntakeOutcome.REJECTED,
                "mdo_decision",
                ["criterion_not_met"],
            ),
            Plan(
                D(2019, 6, 3), IntakeOutcome.DECLINED, "application", ["not_interested"]
            ),
            *[
                Plan(
                    D(2020, 5, 11) + datetime.timedelta(days=30 * i),
                    IntakeOutcome.PLACED,
                )
                for i in range(4)
            ],
            Plan(
                D(2020, 6, 15),
                IntakeOutcome.REJECTED,
                "trial_period",
                ["negative_advice"],
            ),
            Plan(recent[1], IntakeOutcome.OPEN, "trial_period"),
            Plan(recent[3], IntakeOutcome.OPEN, "application_review"),
        ],
        "middelburg": [
            *[
                Plan(
                    D(2020, 8, 3) + datetime.timedelta(days=35 * i),
                    IntakeOutcome.PLACED,
                )
                for i in range(4)
            ],
            Plan(
                D(2020, 8, 17),
                IntakeOutcome.HANDED_BACK,
                "prescan",
                ["prescan_objection"],
                objecting="om",
            ),
            Plan(
                D(2020, 10, 5),
                IntakeOutcome.HANDED_BACK,
                "prescan",
                ["prescan_objection"],
                objecting="veiligheidshuis",
            ),
            Plan(
                D(2020, 11, 2),
                IntakeOutcome.REJECTED,
                "employer_consent",
                ["employer_refused"],
            ),
            Plan(
                D(2020, 12, 7), IntakeOutcome.DECLINED, "invitation", ["not_interested"]
            ),
            *[
                Plan(day, IntakeOutcome.OPEN, at)
                for day, at in zip(
                    recent[1:], ["screening", "invitation", "prescan"], strict=True
                )
            ],
        ],
        "rotterdam": [
            *[
                Plan(
                    D(2019, 4, 8) + datetime.timedelta(days=30 * i),
                    IntakeOutcome.PLACED,
                )
                for i in range(4)
            ],
            *[
                Plan(
                    D(2019, 5, 6) + datetime.timedelta(days=45 * i),
                    IntakeOutcome.REJECTED,
                    "nomination",
                    ["criterion_not_met"],
                )
                for i in range(4)
            ],
            Plan(
                D(2019, 11, 4),
                IntakeOutcome.DECLINED,
                "rc_decision",
                ["prefers_other_regime"],
            ),
        ],
    }


def _place_type_on(site: Site, day: datetime.date) -> PlaceType | None:
    period = (
        CapacityPeriod.objects.filter(
            place_type__site=site, planned=False, valid_from__lte=day
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .select_related("place_type")
        .order_by("-places")
        .first()
    )
    return period.place_type if period else None


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


def _walk(
    ctx: DemoContext, case: IntakeCase, plan: Plan, user: object
) -> tuple[datetime.date, bool]:
    """Record the stages of ``case`` up to the plan's stop; returns last date."""
    day = case.opened_on
    done: dict[str, datetime.date] = {}
    for stage in case.process.stages.all():
        if stage.kind == StageKind.DECISION:
            if plan.at == stage.code and plan.end == IntakeOutcome.REJECTED:
                day = max(done.values(), default=day) + datetime.timedelta(days=5)
                stage_event_record(
                    case=case, stage=stage, occurred_on=day,
                    outcome=StageOutcome.NEGATIVE, actor=user,
                )  # fmt: skip
            break
        if plan.at == stage.code and plan.end == IntakeOutcome.OPEN:
            break
        if stage.optional and plan.at != stage.code and ctx.rng.random() < 0.5:
            continue
        start = max((done[c] for c in stage.requires), default=case.opened_on)
        day = start + datetime.timedelta(days=ctx.rng.randint(2, 9))
        if day > ctx.today:
            return day, False
        failing = plan.at == stage.code and plan.end != IntakeOutcome.OPEN
        if failing and plan.end in (IntakeOutcome.WITHDRAWN, IntakeOutcome.WAITLISTED):
            if stage.kind == StageKind.WAITLIST:
                return day + datetime.timedelta(days=60), False
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
        for document in stage.documents[:2]:
            document_record(
                case=case, stage=stage, document_code=document["code"],
                received_on=day, actor=user,
            )  # fmt: skip
        done[stage.code] = day
        if failing:
            return day, False
    return max(done.values(), default=day), True


def _close(case: IntakeCase, plan: Plan, day: datetime.date, user: object) -> None:
    reasons = []
    stage = case.process.stages.filter(code=plan.at).first()
    for code in plan.reasons:
        if code == EndReasonCode.CRITERION_NOT_MET:
            criterion = case.criteria_version.criteria.first()
            reasons.append(EndReasonInput(code=code, criterion=criterion, stage=stage))
        elif code == EndReasonCode.PRESCAN_OBJECTION:
            reasons.append(
                EndReasonInput(code=code, prescan_partner=plan.objecting, stage=stage)
            )
        else:
            reasons.append(EndReasonInput(code=code, stage=stage))
    case_close(case=case, outcome=plan.end, closed_on=day, actor=user, reasons=reasons)


def _check_criteria(ctx: DemoContext, case: IntakeCase, user: object) -> None:
    if case.criteria_version is None:
        return
    for criterion in case.criteria_version.criteria.all():
        exception = case.site.code == "rotterdam" and ctx.rng.random() < 0.3
        criterion_check_record(
            case=case,
            criterion=criterion,
            result=CheckResult.EXCEPTION if exception else CheckResult.MET,
            exception_reason="Enigszins flexibel toegepast (demo)" if exception else "",
            checked_on=case.opened_on + datetime.timedelta(days=3),
            actor=user,
        )


def seed_intake(ctx: DemoContext) -> None:
    stays = ctx.extra.setdefault("stays", [])
    for code, plans in _plans(ctx).items():
        site = ctx.sites.get(code)
        if site is None:
            continue
        user = ctx.casemanager(site)
        people: list[Person] = list(ctx.people.get(code, []))
        for plan, person in zip(plans, people, strict=False):
            from intake.services import process_on

            process = process_on(site=site, day=plan.opened_on)
            routes = [r for r in process.entry_routes.all() if not r.planned_only]
            route = ctx.rng.choice(routes)
            case = case_open(
                site=site,
                person=person,
                opened_on=plan.opened_on,
                entry_route=route,
                created_by=user,
                referring_organisation=_referrer(route.code),
                referring_person="Demo-verwijzer" if route.code != "dji_list" else "",
                heard_via=ctx.rng.choice(AwarenessChannel.values[1:]),
                report_date=plan.opened_on + datetime.timedelta(days=56)
                if code == "middelburg"
                else None,
            )
            day, complete = _walk(ctx, case, plan, user)
            if plan.end == IntakeOutcome.PLACED and complete:
                _check_criteria(ctx, case, user)
                decided = day + datetime.timedelta(days=ctx.rng.randint(3, 10))
                placed = decided + datetime.timedelta(days=ctx.rng.randint(1, 7))
                place_type = _place_type_on(site, placed)
                if place_type is not None and placed <= ctx.today:
                    stays.append(
                        case_place(
                            case=case,
                            decided_on=decided,
                            place_type=place_type,
                            placed_on=placed,
                            actor=user,
                        )
                    )
            elif plan.end not in (IntakeOutcome.OPEN, IntakeOutcome.PLACED):
                _close(case, plan, min(day, ctx.today), user)

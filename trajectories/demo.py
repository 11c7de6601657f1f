"""Demo data for stays and plans, all fictitious and written through the
services like in the UI.

Stays come from the intake step (``ctx.extra["stays"]``); when there are
none yet, a few are placed here for every site and period that had realised
capacity. Each stay gets a plan in its site's form, goals, activities (some
not done, with a reason), reviews, work, incidents and, for older stays, an
outflow. Sites with more than one programme phase move people on to the next.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q

from core.demo import DemoContext
from core.models import CapacityPeriod, Site
from partners.models import Organisation
from trajectories.models import (
    ActivityStatus,
    Consequence,
    Detection,
    IncidentKind,
    IndividualPlan,
    JobOrigin,
    JobSearchKind,
    LocationStatus,
    OutflowType,
    PayKind,
    PlanFormDefinition,
    ProgrammePhase,
    ReviewKind,
    RiskLevel,
    Stay,
)
from trajectories.reference import plans_load
from trajectories.services import (
    activity_create,
    employer_check_record,
    employment_record,
    goal_create,
    incident_record,
    job_search_record,
    location_period_record,
    plan_create,
    review_record,
    stay_create,
    stay_end,
    stay_phase_change,
)

DAY = datetime.timedelta(days=1)
JOBS = ["lasser", "makelaar", "administratief medewerker", "medewerker in de bouw"]
EMPLOYERS = ["Demo-Bouwbedrijf", "Demo-Metaal", "Demo-Kantoor", "Demo-Hovenier"]
NOT_DONE_REASONS = [
    "Wachtlijst bij de zorgaanbieder (demo).",
    "Gedetineerde wilde dit niet (demo).",
    "Vervallen door de coronamaatregelen (demo).",
]
ACTIVITIES = [
    "Intakegesprek met partner",
    "Aanvraag indicatie",
    "Gesprek met de werkgever",
    "Cursus schuldhulpverlening",
    "Bezoek woningcorporatie",
]


def _placements(
    ctx: DemoContext, site: Site, *, participants: bool = True
) -> list[Stay]:
    """A few stays per realised capacity period of the first phase's place
    type (participants), or of the second phase's (non-participants)."""
    people = [p for p in ctx.people.get(site.code, []) if not p.stays.exists()]
    user = ctx.casemanager(site) if f"cm-{site.code}" in ctx.users else None
    periods = CapacityPeriod.objects.filter(
        place_type__site=site, planned=False, valid_from__lte=ctx.today
    ).order_by("valid_from", "place_type__code")
    phases = list(ProgrammePhase.objects.filter(site=site))
    # Places of the second phase were also filled by people who did not pass
    # the KV intake (report L3654-3664): the non-participants.
    wanted = phases[:1] if participants else phases[1:2]
    place_types = {p.place_type_id for p in wanted}
    if not participants and not place_types:
        return []
    stays = []
    for period in periods:
        if place_types and period.place_type_id not in place_types:
            continue
        end = min(period.valid_to or ctx.today, ctx.today)
        for _index in range(min(period.places, 6 if participants else 3)):
            if not people:
                return stays
            span = max((end - period.valid_from).days - 60, 1)
            placed_on = period.valid_from + DAY * ctx.rng.randint(0, span)
            try:
                stays.append(
                    stay_create(
                        person=people.pop(),
                        place_type=period.place_type,
                        placed_on=placed_on,
                        created_by=user,
                        participant=participants,
                        expected_end=placed_on + DAY * ctx.rng.randint(60, 300),
                    )
                )
            except ValidationError:
                continue
    return stays


def _plan_value(spec: dict[str, Any], stay: Stay, ctx: DemoContext) -> Any:
    name = spec["name"]
    field = IndividualPlan._meta.get_field(name)
    if field.get_internal_type() == "DateField":
        return stay.placed_on + DAY * ctx.rng.randint(0, 10)
    if field.get_internal_type() == "BooleanField":
        return ctx.rng.random() < 0.9
    if name == "risk_level":
        return ctx.rng.choice(RiskLevel.values)
    return f"{spec.get('label') or field.verbose_name} (demo)"


def _plan(ctx: DemoContext, stay: Stay, definition: PlanFormDefinition) -> None:
    data = {"drawn_up_on": stay.placed_on + DAY * ctx.rng.randint(3, 14)}
    for spec in definition.field_specs():
        data[spec["name"]] = _plan_value(spec, stay, ctx)
    plan = plan_create(stay=stay, data=data)
    if ctx.rng.random() < 0.1:
        return  # some plans still lack goals: they show on the worklist
    organisations = list(Organisation.objects.for_site(stay.site))
    domains = list(definition.domains.all())
    for domain in ctx.rng.sample(domains, k=min(3, len(domains))):
        goal = goal_create(
            plan=plan, domain=domain, description=f"Werken aan: {domain}"
        )
        for index in range(ctx.rng.randint(1, 3)):
            due = plan.drawn_up_on + DAY * ctx.rng.randint(14, 120)
            status = ctx.rng.choice(ActivityStatus.values)
            activity_create(
                goal=goal,
                data={
                    "description": ACTIVITIES[index % len(ACTIVITIES)],
                    "responsible_organisation": ctx.rng.choice(organisations)
                    if organisations
                    else None,
                    "status": status,
                    "due_on": due,
                    "done_on": min(due, ctx.today) if status == "done" else None,
                    "not_done_reason": ctx.rng.choice(NOT_DONE_REASONS)
                    if status == "not_done"
                    else "",
                },
            )
    day = plan.drawn_up_on + DAY * definition.review_interval_days
    last = min(stay.ended_on or ctx.today, ctx.today)
    while day < last and ctx.rng.random() < 0.85:
        review_record(
            plan=plan,
            held_on=day,
            kind=ctx.rng.choice(ReviewKind.values),
            notes="Voortgang op de doelen besproken (demo).",
        )
        day += DAY * definition.review_interval_days


def _work(ctx: DemoContext, stay: Stay) -> None:
    if ctx.rng.random() < 0.7:
        job = employment_record(
            stay=stay,
            employer_name=ctx.rng.choice(EMPLOYERS),
            data={
                "job_title": ctx.rng.choice(JOBS),
                "hours_per_week": ctx.rng.choice([16, 24, 32, 36, 40]),
                "pay_kind": ctx.rng.choice(
                    [PayKind.PAID, PayKind.PAID, PayKind.UNPAID, PayKind.VOLUNTEER]
                ),
                "started_on": stay.placed_on - DAY * ctx.rng.randint(-30, 400),
                "origin": ctx.rng.choice(JobOrigin.values),
                "verifiable_with_employer": ctx.rng.random() < 0.8,
            },
        )
        employer_check_record(
            job=job,
            checked_on=max(job.started_on, stay.placed_on) + DAY * 14,
            method="phone",
            confirmed=True,
        )
    for kind in JobSearchKind.values:
        used = ctx.rng.random() < 0.8
        job_search_record(
            stay=stay,
            kind=kind,
            occurred_on=stay.placed_on + DAY * ctx.rng.randint(7, 40),
            used=used,
            reason_not_used="" if used else ctx.rng.choice(NOT_DONE_REASONS),
        )


def _course(ctx: DemoContext, stay: Stay) -> None:
    """Later phases, incidents and outflow, in date order."""
    phases = list(ProgrammePhase.objects.filter(site=stay.site).order_by("order"))
    user = ctx.casemanager(stay.site) if f"cm-{stay.site.code}" in ctx.users else None
    day = stay.placed_on
    current = stay.phases.order_by("-started_on").first()
    later = [
        p for p in phases if current and current.phase and p.order > current.phase.order
    ]
    if later and later[0].place_type is not None:
        day = stay.placed_on + DAY * ctx.rng.randint(30, 90)
        try:
            stay_phase_change(
                stay=stay,
                phase=later[0],
                place_type=later[0].place_type,
                started_on=day,
                changed_by=user,
            )
        except ValidationError:
            day = stay.placed_on
    closing = (
        CapacityPeriod.objects.filter(
            place_type=stay.place_type, planned=False, valid_from__lte=day
        )
        .filter(Q(valid_to__isnull=False))
        .order_by("-valid_from")
        .first()
    )
    if ctx.rng.random() < 0.15 and day + DAY * 20 < ctx.today:
        incident_record(
            stay=stay,
            occurred_on=day + DAY * 10,
            kind=IncidentKind.DRUG_USE,
            detection=Detection.URINE_TEST,
            consequence=ctx.rng.choice(
                [Consequence.WARNING, Consequence.TEMPORARY_RETURN]
            ),
            return_days=42,
            decided_by="weegtafel (demo)",
            recorded_by=user,
        )
    if closing is not None and closing.valid_to > day and ctx.rng.random() < 0.3:
        location_period_record(
            stay=stay,
            status=LocationStatus.HOME_EM,
            started_on=max(day, closing.valid_to - DAY * 45),
            reason="Met enkelband thuis (coronamaatregelen, demo).",
        )
    ended_on = stay.expected_end
    if closing is not None and closing.valid_to < (ended_on or ctx.today):
        ended_on = closing.valid_to
    stay.refresh_from_db()
    if ended_on and ended_on < ctx.today and stay.ended_on is None and ended_on > day:
        stay_end(
            stay=stay,
            ended_on=ended_on,
            outflow_type=ctx.rng.choice(
                [OutflowType.END_OF_SENTENCE, OutflowType.DETENTION_PHASING]
            ),
            aftercare_municipality=stay.person.municipality_of_origin,
        )


def seed_trajectories(ctx: DemoContext) -> None:
    """Plans, work and the course of every demo stay."""
    if not PlanFormDefinition.objects.exists():
        plans_load()
    stays = list(ctx.extra.get("stays", []))
    if not stays:
        for site in ctx.sites.values():
            stays.extend(_placements(ctx, site))
        ctx.extra["stays"] = stays
    others = []
    for site in ctx.sites.values():
        others.extend(_placements(ctx, site, participants=False))
    ctx.extra["non_participant_stays"] = others
    for stay in [*stays, *others]:
        definition = PlanFormDefinition.objects.filter(site_id=stay.site_id).first()
        if definition is not None and stay.participant and not hasattr(stay, "plan"):
            _plan(ctx, stay, definition)
        _work(ctx, stay)
        if stay.ended_on is None:
            _course(ctx, stay)

"""Demo data for stays and plans, all fictitious and written through the
services like in the UI.

The intake step plans the placements (``ctx.extra["placements"]``, within
capacity and the site's stay limits); this step carries them out in date
order - placement, phase changes, incidents and temporary returns, outflow -
so every capacity check of the services sees the occupancy of that day.
Before a stay ends (or, for stays still running, up to today) it gets its
plan in the site's form with goals, activities (mostly done on time, a few
overdue or not done with a reason), reviews at the site's interval (a few
overdue), and work. Created stays go to ``ctx.extra["stays"]``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from django.utils import timezone

from core.demo import DemoContext
from intake.services import case_place
from partners.models import Organisation
from trajectories.models import (
    Activity,
    ActivityStatus,
    Detection,
    IncidentKind,
    IndividualPlan,
    JobOrigin,
    JobSearchKind,
    LocationStatus,
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
    activity_update,
    employer_check_record,
    employment_record,
    goal_create,
    incident_record,
    job_search_record,
    location_period_record,
    plan_create,
    review_record,
    stay_end,
    stay_phase_change,
    stay_update,
)

DAY = datetime.timedelta(days=1)
JOBS = ["lasser", "makelaar", "administratief medewerker", "medewerker in de bouw"]
EMPLOYERS = ["Demo-Bouwbedrijf", "Demo-Metaal", "Demo-Kantoor", "Demo-Hovenier"]
NOT_DONE_REASONS = [
    "Wachtlijst bij de zorgaanbieder (demo).",
    "Gedetineerde wilde dit niet (demo).",
    "Partner kon de afspraak niet nakomen (demo).",
]
# Per life area a goal and its activities, each with the kinds of partner
# that would carry it out (the first one found at the site is used).
GOALS: dict[str, tuple[str, list[tuple[str, tuple[str, ...]]]]] = {
    "woon": (
        "Woonruimte geregeld voor na het verblijf",
        [
            ("Inschrijven als woningzoekende", ("housing", "municipality")),
            ("Aanvraag urgentie bij de gemeente", ("municipality",)),
        ],
    ),
    "werk": (
        "Werk of opleiding behouden of vinden",
        [
            ("Gesprek met de werkgever over de werktijden", ("employer",)),
            ("Sollicitatietraining", ("volunteers", "probation")),
        ],
    ),
    "fin": (
        "Inzicht in schulden en een betalingsregeling",
        [
            ("Schuldenoverzicht opstellen", ("municipality", "volunteers")),
            ("Aanmelden bij de schuldhulpverlening", ("municipality",)),
        ],
    ),
    "gedrag": (
        "Omgaan met boosheid en afspraken nakomen",
        [
            ("Training agressieregulatie", ("probation", "care")),
            ("Gesprek over de huisregels", ("pi",)),
        ],
    ),
    "netwerk": (
        "Contact met familie herstellen",
        [
            ("Bezoek van ouders regelen", ("pi",)),
            ("Gesprek met de partner samen met de mentor", ("volunteers", "pi")),
        ],
    ),
    "vrije_tijd": (
        "Een zinvolle vrijetijdsbesteding",
        [("Aanmelden bij een sportvereniging", ("municipality", "volunteers"))],
    ),
    "zorg": (
        "Behandeling voortzetten na het verblijf",
        [
            ("Aanvraag indicatie", ("care",)),
            ("Overdracht aan de behandelaar buiten", ("care", "probation")),
        ],
    ),
    "middelen": (
        "Geen gebruik van drugs",
        [
            ("Intake bij de verslavingszorg", ("care",)),
            ("Afspraken over urinecontroles", ("pi", "probation")),
        ],
    ),
    "id": (
        "Een geldig identiteitsbewijs",
        [("Paspoort aanvragen bij de gemeente", ("municipality",))],
    ),
    "zorgverzekering": (
        "Zorgverzekering geregeld",
        [("Zorgverzekering afsluiten", ("municipality", "volunteers"))],
    ),
}
# The reference data's domain codes, mapped onto the goals above.
DOMAIN_GOALS = {
    "pf_woonsituatie": "woon",
    "bv_onderdak": "woon",
    "pf_opleiding_werk": "werk",
    "bv_inkomen": "werk",
    "pf_financien": "fin",
    "bv_schulden": "fin",
    "pf_houding_gedrag": "gedrag",
    "pf_sociaal_netwerk": "netwerk",
    "bv_sociaal_netwerk": "netwerk",
    "pf_vrije_tijd": "vrije_tijd",
    "pf_psychisch_welbevinden": "zorg",
    "bv_zorg": "zorgverzekering",
    "pf_middelengebruik": "middelen",
    "bv_identiteitsbewijs": "id",
}
INCIDENT_KINDS = [
    (IncidentKind.DRUG_USE, Detection.URINE_TEST),
    (IncidentKind.ABSENCE, Detection.EMPLOYER_CHECK),
    (IncidentKind.RULE_BREACH, Detection.STAFF),
]
# Krimpen, March - May 2020: at home with an ankle monitor (corona measures).
HOME_EM = (datetime.date(2020, 3, 16), datetime.date(2020, 5, 1), "krimpen")


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


def _activity(
    ctx: DemoContext, drawn_up_on: datetime.date, last: datetime.date, open_: bool
) -> dict[str, Any]:
    """Status and dates of one activity: done on time mostly, a few late or
    not done; on running stays some are still planned with a due date ahead."""
    due = drawn_up_on + DAY * ctx.rng.randint(14, 120)
    roll = ctx.rng.random()
    if due > last and open_:
        status = ActivityStatus.IN_PROGRESS if roll < 0.4 else ActivityStatus.PLANNED
        return {"status": status, "due_on": due}
    due = min(due, last)
    if roll < 0.8:
        done = max(drawn_up_on, due - DAY * ctx.rng.randint(0, 10))
        return {"status": ActivityStatus.DONE, "due_on": due, "done_on": done}
    if roll < 0.9 or not open_:
        return {
            "status": ActivityStatus.NOT_DONE,
            "due_on": due,
            "not_done_reason": ctx.rng.choice(NOT_DONE_REASONS),
        }
    # Still running and past its due date: shows as overdue.
    return {"status": ActivityStatus.IN_PROGRESS, "due_on": due}


def _plan(
    ctx: DemoContext, stay: Stay, definition: PlanFormDefinition, last: datetime.date
) -> None:
    """Plan, goals, activities and reviews from placement up to ``last``."""
    drawn_up = stay.placed_on + DAY * ctx.rng.randint(3, 14)
    if drawn_up > last:
        return  # placed only days ago: the plan is still being drawn up
    data = {"drawn_up_on": drawn_up}
    for spec in definition.field_specs():
        data[spec["name"]] = _plan_value(spec, stay, ctx)
    plan = plan_create(stay=stay, data=data)
    open_ = last >= ctx.today
    by_kind: dict[str, list[Organisation]] = {}
    for organisation in Organisation.objects.for_site(stay.site).order_by("name"):
        by_kind.setdefault(organisation.kind, []).append(organisation)
    domains = [d for d in definition.domains.all() if d.code in DOMAIN_GOALS]
    for domain in ctx.rng.sample(domains, k=min(3, len(domains))):
        description, activities = GOALS[DOMAIN_GOALS[domain.code]]
        goal = goal_create(plan=plan, domain=domain, description=description)
        for text, kinds in activities:
            partners = next((by_kind[k] for k in kinds if k in by_kind), [None])
            activity_create(
                goal=goal,
                data={
                    "description": text,
                    "responsible_organisation": ctx.rng.choice(partners),
                    **_activity(ctx, plan.drawn_up_on, last, open_),
                },
            )
    interval = definition.review_interval_days
    # A few running stays miss their latest review: they show as overdue.
    stop = last - DAY * interval * 2 if open_ and ctx.rng.random() < 0.1 else last
    day = plan.drawn_up_on + DAY * ctx.rng.randint(interval // 2, interval)
    while day <= stop:
        review_record(
            plan=plan,
            held_on=day,
            kind=ctx.rng.choice(ReviewKind.values),
            notes="Voortgang op de doelen besproken (demo).",
        )
        day += DAY * ctx.rng.randint(interval - 3, interval)


RULE_BREACH_REASONS = [
    "Uren worden in overleg met de werkgever opgebouwd (demo).",
    "Werkgever bevestigt aanwezigheid telefonisch; controle op locatie volgt (demo).",
    "Baan past bij het plan; reistijd besproken in het mdo (demo).",
]


def _work(ctx: DemoContext, stay: Stay, last: datetime.date) -> None:
    if ctx.rng.random() < 0.75:
        started = stay.placed_on + DAY * ctx.rng.randint(-400, 30)
        if started > last:
            started = stay.placed_on
        job = employment_record(
            stay=stay,
            # Employers are local: each site registers its own.
            employer_name=f"{ctx.rng.choice(EMPLOYERS)} "
            f"{stay.site.name.removeprefix('KV ')}",
            data={
                "job_title": ctx.rng.choice(JOBS),
                "hours_per_week": ctx.rng.choice([26, 32, 36, 40]),
                "pay_kind": ctx.rng.choice(
                    [PayKind.PAID, PayKind.PAID, PayKind.UNPAID, PayKind.VOLUNTEER]
                ),
                "started_on": started,
                "origin": ctx.rng.choice(JobOrigin.values),
                "verifiable_with_employer": ctx.rng.random() < 0.9,
                "within_travel_distance": ctx.rng.random() < 0.95,
            },
            # Kept only where the job breaks the site's work rules: those
            # jobs then show on the worklist and in the dashboard.
            confirm_rule_breach=True,
            rule_breach_reason=ctx.rng.choice(RULE_BREACH_REASONS),
        )
        checked = max(job.started_on, stay.placed_on) + DAY * 14
        if checked <= last:
            employer_check_record(
                job=job, checked_on=checked, method="phone", confirmed=True
            )
    for kind in JobSearchKind.values:
        day = stay.placed_on + DAY * ctx.rng.randint(7, 40)
        if day > last:
            continue
        used = ctx.rng.random() < 0.8
        job_search_record(
            stay=stay,
            kind=kind,
            occurred_on=day,
            used=used,
            reason_not_used="" if used else ctx.rng.choice(NOT_DONE_REASONS),
        )


def _content(ctx: DemoContext, stay: Stay, last: datetime.date) -> None:
    """What a casemanager records during a stay, up to ``last``."""
    definition = PlanFormDefinition.objects.filter(site_id=stay.site_id).first()
    if definition is not None and stay.participant:
        _plan(ctx, stay, definition, last)
    _work(ctx, stay, last)


def _events(placement: Any) -> list[tuple[datetime.date, int, str, Any]]:
    """(day, order, kind, detail): on one day phase changes and incidents come
    before the outflow, and outflows before new placements."""
    events = [(placement.placed_on, 3, "place", None)]
    events += [
        (day, 0, "phase", place_type) for day, place_type in placement.phase_changes
    ]
    for day, consequence, return_days in placement.incidents:
        events.append((day, 1, "incident", (consequence, return_days)))
    if placement.ends_on is not None and not any(
        c == "definitive_return" for _d, c, _r in placement.incidents
    ):
        events.append((placement.ends_on, 2, "end", None))
    return events


@contextmanager
def as_of(day: datetime.date) -> Iterator[None]:
    """Replay an event as of its own day: the services read 'today' from the
    clock (e.g. how far ahead the measurement schedule of a running stay
    reaches), and a history written afterwards should look as it would have
    when the casemanager recorded it on that day."""
    real = timezone.localdate

    def localdate(value: Any = None, timezone: Any = None) -> datetime.date:
        return day if value is None else real(value, timezone)

    with mock.patch("django.utils.timezone.localdate", localdate):
        yield


def _phase_for(place_type: Any) -> ProgrammePhase | None:
    return ProgrammePhase.objects.filter(place_type=place_type).first()


def seed_trajectories(ctx: DemoContext) -> None:
    """Carry out the planned placements and the course of every stay."""
    if not PlanFormDefinition.objects.exists():
        plans_load()
    queue = []
    for index, placement in enumerate(ctx.extra.get("placements", [])):
        for day, order, kind, detail in _events(placement):
            queue.append((day, order, index, kind, detail, placement))
    queue.sort(key=lambda e: e[:3])
    stays: dict[int, Stay] = {}
    for day, _order, index, kind, detail, placement in queue:
        with as_of(day):
            _carry_out(ctx, stays, day, index, kind, detail, placement)
    for stay in stays.values():
        stay.refresh_from_db()
        if stay.ended_on is None:
            _content(ctx, stay, ctx.today)
    ctx.extra["stays"] = list(stays.values())


def _carry_out(
    ctx: DemoContext,
    stays: dict[int, Stay],
    day: datetime.date,
    index: int,
    kind: str,
    detail: Any,
    placement: Any,
) -> None:
    case = placement.case
    user = ctx.casemanager(case.site)
    if kind == "place":
        stay = case_place(
            case=case,
            decided_on=placement.decided_on,
            place_type=placement.place_type,
            placed_on=day,
            actor=user,
        )
        stays[index] = stay_update(
            stay=stay, data={"expected_end": placement.expected_end}
        )
        return
    stay = stays[index]
    if kind == "phase":
        stay_phase_change(
            stay=stay,
            phase=_phase_for(detail),
            place_type=detail,
            started_on=day,
            changed_by=user,
        )
    elif kind == "home_em":
        location_period_record(
            stay=stay,
            status=LocationStatus.HOME_EM,
            started_on=day,
            ended_on=HOME_EM[1],
            reason="Met enkelband thuis (coronamaatregelen, demo).",
        )
    elif kind == "incident":
        consequence, return_days = detail
        if consequence == "definitive_return":
            _content(ctx, stay, day)
        incident_kind, detection = ctx.rng.choice(INCIDENT_KINDS)
        incident_record(
            stay=stay,
            occurred_on=day,
            kind=incident_kind,
            detection=detection,
            consequence=consequence,
            return_days=return_days,
            decided_by="weegtafel (demo)",
            recorded_by=user,
        )
    elif kind == "end":
        _content(ctx, stay, day)
        stay_end(
            stay=stay,
            ended_on=day,
            outflow_type=placement.outflow_type,
            aftercare_municipality=stay.person.municipality_of_origin,
        )


MIDDELBURG_RECLASSERING = [
    "Emergis GGZ (Verslavingsreclassering)",
    "Reclassering Nederland",
    "3 reclasseringsorganisaties (3RO)",
]


def seed_taken_over_activities(ctx: DemoContext) -> None:
    """Middelburg: "De reclassering heeft ook te weinig capaciteit om de
    beoogde taken uit te voeren" (L4044-4046); the KV takes such tasks on
    itself (obstacle C, L4973-4975). About half of the plan activities done
    for which a reclassering (Emergis' verslavingsreclassering, Reclassering
    Nederland, the 3RO) is responsible are recorded as done by the PI."""
    pi = Organisation.objects.filter(name="PI Middelburg").first()
    if pi is None:
        return
    activities = Activity.objects.filter(
        goal__plan__stay__site__code="middelburg",
        status=ActivityStatus.DONE,
        responsible_organisation__name__in=MIDDELBURG_RECLASSERING,
    ).order_by("pk")
    for activity in activities:
        if ctx.rng.random() < 0.5:
            activity_update(activity=activity, data={"performing_organisation": pi})

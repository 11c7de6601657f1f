"""Reads for stays and plans: derived occupancy and length of stay, the
casemanager's worklists and the person's timeline.

Occupancy and length of stay are computed from placements, phase periods and
location periods; they are never stored. All periods are half-open
``[start, end)``: the outflow day and the last day of a period are not
counted, so a stay from 1 to 3 March counts 2 days and occupies a place on
1 and 2 March.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import (
    Count,
    Exists,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from core import registry
from core.dates import add_days
from core.models import CapacityPeriod, Person, PlaceType, Site
from core.registry import PersonStatus
from core.scoping import CASE_READ_ROLES
from partners.models import CaseRole
from partners.selectors import ConsentWarning, consent_warnings_for
from trajectories.models import (
    Activity,
    ActivityStatus,
    Employment,
    Incident,
    IndividualPlan,
    LocationPeriod,
    LocationStatus,
    PlanFormDefinition,
    Review,
    Stay,
    StayPhase,
    StayStepDefinition,
    WorkRule,
    rule_check,
)
from trajectories.models.work import rule_breach_text

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


# Casemanager worklists -------------------------------------------------------


def plans_without_goals(
    *, user: AbstractBaseUser | AnonymousUser, roles: Iterable[str] = CASE_READ_ROLES
) -> QuerySet[IndividualPlan]:
    """Plans of open stays that have no goal yet (one query)."""
    return (
        IndividualPlan.objects.visible_to(user, roles)
        .filter(stay__ended_on__isnull=True)
        .annotate(goal_count=Count("goals"))
        .filter(goal_count=0)
        .select_related("stay__person", "stay__site")
        .order_by("drawn_up_on", "pk")
    )


def activities_past_due(
    *,
    user: AbstractBaseUser | AnonymousUser,
    today: datetime.date,
    roles: Iterable[str] = CASE_READ_ROLES,
) -> QuerySet[Activity]:
    """Planned or running activities whose due date has passed (one query)."""
    return (
        Activity.objects.visible_to(user, roles)
        .filter(
            status__in=[ActivityStatus.PLANNED, ActivityStatus.IN_PROGRESS],
            due_on__lt=today,
            goal__plan__stay__ended_on__isnull=True,
        )
        .select_related(
            "goal__plan__stay__person", "goal__domain", "responsible_organisation"
        )
        .order_by("due_on", "pk")
    )


@dataclass
class OverdueReview:
    plan: IndividualPlan
    last_review_on: datetime.date | None
    due_on: datetime.date
    days_overdue: int


def reviews_overdue(
    *,
    user: AbstractBaseUser | AnonymousUser,
    today: datetime.date,
    roles: Iterable[str] = CASE_READ_ROLES,
) -> list[OverdueReview]:
    """Plans of open stays whose next review date has passed (one query).

    The next review is the date set at the last review, else the last review
    (or the plan date) plus the site's review interval from its plan form.
    """
    latest = Review.objects.filter(plan=OuterRef("pk")).order_by("-held_on", "-pk")
    plans = (
        IndividualPlan.objects.visible_to(user, roles)
        .filter(stay__ended_on__isnull=True)
        .annotate(
            last_review_on=Max("reviews__held_on"),
            next_set_on=Subquery(latest.values("next_review_on")[:1]),
        )
        .select_related("stay__person", "stay__site__plan_form")
        .order_by("pk")
    )
    overdue = []
    for plan in plans:
        definition = getattr(plan.stay.site, "plan_form", None)
        interval = definition.review_interval_days if definition else 28
        due = plan.next_set_on or add_days(
            plan.last_review_on or plan.drawn_up_on, interval
        )
        if due < today:
            overdue.append(
                OverdueReview(plan, plan.last_review_on, due, (today - due).days)
            )
    overdue.sort(key=lambda row: row.due_on)
    return overdue


@dataclass
class MissingConsent:
    person: Person
    warnings: list[ConsentWarning]


def consents_missing(
    *, user: AbstractBaseUser | AnonymousUser, roles: Iterable[str] = CASE_READ_ROLES
) -> list[MissingConsent]:
    """People in a running stay without a consent their case needs (missing
    or withdrawn; ``partners.selectors.consent_warnings``), four queries."""
    running = Stay.objects.visible_to(user, roles).filter(ended_on__isnull=True)
    people = list(
        Person.objects.filter(stays__in=running)
        .distinct()
        .select_related("site")
        .order_by("last_name", "first_name", "pk")
    )
    warnings = consent_warnings_for(people)
    return [
        MissingConsent(person, warnings[person.pk])
        for person in people
        if warnings[person.pk]
    ]


def plan_work_counts(
    *,
    user: AbstractBaseUser | AnonymousUser,
    today: datetime.date,
    roles: Iterable[str] = CASE_READ_ROLES,
) -> dict[str, int]:
    """The numbers of the "Plans to do" lists, for the home page and the
    reminder e-mail."""
    return {
        "plans_without_goals": plans_without_goals(user=user, roles=roles).count(),
        "activities_past_due": activities_past_due(
            user=user, today=today, roles=roles
        ).count(),
        "reviews_overdue": len(reviews_overdue(user=user, today=today, roles=roles)),
        "consents_missing": len(consents_missing(user=user, roles=roles)),
        "work_rule_breaches": len(
            work_rule_breaches(current_jobs(user=user, roles=roles))
        ),
    }


@dataclass
class WorkRuleBreach:
    """A job against its site's work rules, with what the rules ask."""

    job: Employment
    broken: list[str]
    kinds: list[str]


def work_rule_breaches(jobs: QuerySet[Employment]) -> list[WorkRuleBreach]:
    """The jobs among ``jobs`` that break their site's work rules.

    The one definition of a breach: the worklist, the home page count and
    the dashboards all pass their jobs through here. Two queries, whatever
    the number of jobs.
    """
    found = list(jobs.select_related("stay__person", "stay__site", "employer"))
    rules: dict[int, list[WorkRule]] = defaultdict(list)
    site_ids = {job.stay.site_id for job in found}
    for rule in WorkRule.objects.filter(site_id__in=site_ids) if site_ids else []:
        rules[rule.site_id].append(rule)
    breaches = []
    for job in found:
        placed_on = job.stay.placed_on
        site_rules = rules[job.stay.site_id]
        failed = [r for r in site_rules if not rule_check(r, job, placed_on)]
        if failed:
            breaches.append(
                WorkRuleBreach(
                    job,
                    [rule_breach_text(rule, job, placed_on) for rule in failed],
                    [rule.kind for rule in failed],
                )
            )
    return breaches


def current_jobs(
    *, user: AbstractBaseUser | AnonymousUser, roles: Iterable[str] = CASE_READ_ROLES
) -> QuerySet[Employment]:
    """Jobs that have not ended, of stays that have not ended."""
    return (
        Employment.objects.visible_to(user, roles)
        .filter(ended_on__isnull=True, stay__ended_on__isnull=True)
        .order_by("stay__site__name", "started_on", "pk")
    )


def jobs_during(
    *, site_ids: Iterable[int], start: datetime.date, end: datetime.date
) -> QuerySet[Employment]:
    """Jobs running on a day of ``[start, end]`` during a stay at the sites."""
    return Employment.objects.filter(
        stay__site_id__in=list(site_ids),
        started_on__lte=end,
        stay__placed_on__lte=end,
    ).filter(
        (Q(ended_on__isnull=True) | Q(ended_on__gte=start))
        & (Q(stay__ended_on__isnull=True) | Q(stay__ended_on__gte=start))
    )


# Person timeline --------------------------------------------------------------


# What each kind of timeline entry is called on the page.
TIMELINE_KINDS = {
    "intake": _("intake"),
    "stay": _("placement"),
    "outflow": _("outflow"),
    "phase": _("phase"),
    "location": _("location"),
    "incident": _("incident"),
    "plan": _("plan"),
    "activity": _("activity"),
    "review": _("progress review"),
    "work": _("work"),
    "measurement": _("measurement"),
}


@dataclass
class TimelineEntry:
    day: datetime.date
    kind: str
    title: str
    detail: str = ""
    url: str = ""

    @property
    def kind_label(self) -> str:
        return str(TIMELINE_KINDS.get(self.kind, self.kind))


def _url(name: str, pk: int) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def person_timeline(*, person: Person) -> list[TimelineEntry]:
    """Everything that happened to a person, oldest first.

    One query per kind of record (intake cases, stays, phases, locations,
    incidents, plans, activities, reviews, jobs, measurements), so the
    count does not grow with the data.
    """
    entries: list[TimelineEntry] = []
    for case in person.intake_cases.all():
        url = _url("intake:case_detail", case.pk)
        entries.append(TimelineEntry(case.opened_on, "intake", str(case), "", url))
        if case.closed_on:
            entries.append(
                TimelineEntry(
                    case.closed_on, "intake", str(case), case.get_outcome_display(), url
                )
            )
    stays = list(Stay.objects.filter(person=person).select_related("place_type"))
    for stay in stays:
        url = stay.get_absolute_url()
        entries.append(
            TimelineEntry(stay.placed_on, "stay", str(stay), stay.place_type.name, url)
        )
        if stay.ended_on:
            entries.append(
                TimelineEntry(
                    stay.ended_on,
                    "outflow",
                    stay.get_outflow_type_display(),
                    stay.aftercare_municipality,
                    url,
                )
            )
    for period in StayPhase.objects.filter(stay__person=person).select_related(
        "phase", "place_type"
    ):
        entries.append(
            TimelineEntry(
                period.started_on,
                "phase",
                str(period.phase or period.place_type),
                period.place_type.name,
                _url("trajectories:stay_detail", period.stay_id),
            )
        )
    for location in LocationPeriod.objects.filter(stay__person=person):
        entries.append(
            TimelineEntry(
                location.started_on,
                "location",
                location.get_status_display(),
                location.reason,
                _url("trajectories:stay_detail", location.stay_id),
            )
        )
    for incident in Incident.objects.filter(stay__person=person):
        entries.append(
            TimelineEntry(
                incident.occurred_on,
                "incident",
                incident.get_kind_display(),
                incident.get_consequence_display(),
                _url("trajectories:stay_detail", incident.stay_id),
            )
        )
    for plan in IndividualPlan.objects.filter(stay__person=person):
        entries.append(
            TimelineEntry(
                plan.drawn_up_on, "plan", plan.name, "", plan.get_absolute_url()
            )
        )
    for activity in Activity.objects.filter(
        goal__plan__stay__person=person, done_on__isnull=False
    ).select_related("goal__plan"):
        entries.append(
            TimelineEntry(
                activity.done_on,
                "activity",
                activity.description,
                activity.get_status_display(),
                _url("trajectories:plan_detail", activity.goal.plan_id),
            )
        )
    for review in Review.objects.filter(plan__stay__person=person):
        entries.append(
            TimelineEntry(
                review.held_on,
                "review",
                review.get_kind_display(),
                review.notes[:200],
                _url("trajectories:plan_detail", review.plan_id),
            )
        )
    jobs = apps.get_model("trajectories", "Employment").objects.filter(
        stay__person=person
    )
    for job in jobs.select_related("employer"):
        entries.append(
            TimelineEntry(job.started_on, "work", job.job_title, job.employer.name, "")
        )
    # Other apps' records (evaluation's measurements), declared on their
    # AppConfig: this app does not import the apps above it.
    for more in registry.dotted("timeline_entries"):
        entries.extend(more(person))
    entries.sort(key=lambda entry: entry.day)
    return entries


@dataclass
class StepToDo:
    stay: Stay
    definition: StayStepDefinition


def stay_steps_to_do(
    *, user: AbstractBaseUser | AnonymousUser, roles: Iterable[str] = CASE_READ_ROLES
) -> list[StepToDo]:
    """Steps after placement (Amsterdam's start meeting) not yet recorded for
    stays that have not ended (three queries)."""
    definitions: dict[int, list[StayStepDefinition]] = defaultdict(list)
    for definition in StayStepDefinition.objects.visible_to(user, roles):
        definitions[definition.site_id].append(definition)
    if not definitions:
        return []
    stays = (
        Stay.objects.visible_to(user, roles)
        .filter(ended_on__isnull=True, site_id__in=list(definitions))
        .select_related("person", "site")
        .prefetch_related("steps")
        .order_by("placed_on", "pk")
    )
    return [
        StepToDo(stay, definition)
        for stay in stays
        for definition in definitions[stay.site_id]
        if definition.pk not in {step.definition_id for step in stay.steps.all()}
    ]


def stay_detail_data(stay: Stay) -> dict[str, Any]:
    """Everything on the stay page, one query per list.

    ``jobs`` are ``(job, [(rule, met), ...])`` pairs: each job checked
    against the site's work rules on the placement date.
    """
    rules = list(WorkRule.objects.filter(site_id=stay.site_id))
    jobs = stay.jobs.select_related("employer").prefetch_related("checks")
    definitions = list(StayStepDefinition.objects.filter(site_id=stay.site_id))
    taken = {step.definition_id: step for step in stay.steps.select_related("actor")}
    return {
        "phases": list(stay.phases.select_related("phase", "place_type")),
        "locations": list(stay.locations.all()),
        "incidents": list(stay.incidents.all()),
        "work_rules": rules,
        "jobs": [
            (job, [(rule, rule_check(rule, job, stay.placed_on)) for rule in rules])
            for job in jobs
        ],
        "job_search": list(stay.job_search.all()),
        "plan": IndividualPlan.objects.filter(stay=stay).first(),
        "steps": [(d, taken.get(d.pk)) for d in definitions],
    }


def plan_detail_data(plan: IndividualPlan) -> dict[str, Any]:
    return {
        "goals": list(
            plan.goals.select_related("domain").prefetch_related(
                Prefetch(
                    "activities",
                    queryset=Activity.objects.select_related(
                        "responsible_organisation", "performing_organisation"
                    ),
                )
            )
        ),
        "reviews": list(plan.reviews.all()),
        "versions": list(
            plan.history.select_related("history_user").order_by("-history_id")[:20]
        ),
    }


def plan_shown_fields(
    plan: IndividualPlan, definition: PlanFormDefinition | None
) -> list[tuple[str, Any]]:
    """(label, value) of the fields the site's plan form shows, in its order;
    a choice shows its label, not its code."""
    shown = []
    for spec in definition.field_specs() if definition else []:
        field = plan._meta.get_field(spec["name"])
        value = getattr(plan, spec["name"])
        if field.choices and value:
            value = getattr(plan, f"get_{spec['name']}_display")()
        shown.append((spec.get("label") or field.verbose_name, value))
    return shown


def plan_document(plan: IndividualPlan) -> dict[str, Any]:
    """The plan as its site's form prints it for signature: the site's plan
    name and author, its fields, the goals with their activities and
    responsible partners, the person's current partner roles, and a signature
    line for each person the form names."""
    stay = plan.stay
    definition = PlanFormDefinition.objects.filter(site_id=stay.site_id).first()
    roles = (
        CaseRole.objects.filter(person_id=stay.person_id, ended_on__isnull=True)
        .select_related("organisation", "contact")
        .order_by("started_on")
    )
    return {
        "plan": plan,
        "stay": stay,
        "person": stay.person,
        "site": stay.site,
        "definition": definition,
        "shown_fields": plan_shown_fields(plan, definition),
        "goals": plan_detail_data(plan)["goals"],
        "partner_roles": list(roles),
        "signatories": definition.signatories if definition else [],
    }


def person_statuses() -> list[PersonStatus]:
    """What the stays say about a person, for the person list."""
    stays = Stay.objects.filter(person=OuterRef("pk"))
    return [
        PersonStatus("in_kv", _("in the KV"), 50, Exists(stays.filter(ended_on=None))),
        PersonStatus(
            "left", _("left the KV"), 20, Exists(stays.exclude(ended_on=None))
        ),
    ]

"""Reads for plans: the casemanager's "Plans to do" lists (plans without
goals, activities past due, overdue reviews, missing consents) and their
counts, and a plan's page and printed form.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Max, OuterRef, Prefetch, QuerySet, Subquery

from core.dates import add_days
from core.models import Person
from core.scoping import CASE_READ_ROLES
from partners.models import CaseRole
from partners.selectors import ConsentWarning, consent_warnings_for
from trajectories.models import (
    Activity,
    ActivityStatus,
    IndividualPlan,
    PlanFormDefinition,
    Review,
    Stay,
)
from trajectories.selectors.work import current_jobs, work_rule_breaches


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

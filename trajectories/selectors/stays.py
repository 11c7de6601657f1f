"""Reads for a stay: its page, the steps after placement still to do, and
what the stays say about a person on the person list.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from core.registry import PersonStatus
from core.scoping import CASE_READ_ROLES
from trajectories.models import (
    IndividualPlan,
    Stay,
    StayStepDefinition,
    WorkRule,
    rule_check,
)


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


def person_statuses() -> list[PersonStatus]:
    """What the stays say about a person, for the person list."""
    stays = Stay.objects.filter(person=OuterRef("pk"))
    return [
        PersonStatus("in_kv", _("in the KV"), 50, Exists(stays.filter(ended_on=None))),
        PersonStatus(
            "left", _("left the KV"), 20, Exists(stays.exclude(ended_on=None))
        ),
    ]

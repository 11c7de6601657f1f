"""Reads of intake cases: the case list, a person's cases, a case's stages
and next steps, the site's process versions, the person statuses the
intake adds, and the case search.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import (
    Exists,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Person, Site
from core.registry import PersonStatus
from core.scoping import CASE_READ_ROLES
from core.selectors import person_search
from intake.filters import IntakeCaseFilter
from intake.models import (
    EntryRoute,
    IntakeCase,
    IntakeOutcome,
    IntakeProcessVersion,
    IntakeStageDefinition,
    PrescanAnswer,
    StageEvent,
    StageKind,
    due_date_for,
)


def case_list(
    *, user: AbstractBaseUser | AnonymousUser, filters: dict[str, Any] | None = None
) -> QuerySet[IntakeCase]:
    """Cases the user may read, filtered, with the last stage reached."""
    last_event = StageEvent.objects.filter(case=OuterRef("pk")).order_by(
        "-occurred_on", "-pk"
    )
    cases = (
        IntakeCase.objects.visible_to(user, CASE_READ_ROLES)
        .select_related("person", "site", "entry_route")
        .annotate(
            last_stage_name=Subquery(last_event.values("stage__name")[:1]),
            last_stage_on=Subquery(last_event.values("occurred_on")[:1]),
        )
    )
    return IntakeCaseFilter(filters, cases, request_user=user).qs


def current_entry_routes(
    *, sites: QuerySet[Site], day: datetime.date | None = None
) -> QuerySet[EntryRoute]:
    """The entry routes of each site's intake process in force on ``day``
    (today): routes of replaced versions are not offered for new cases."""
    day = day or timezone.localdate()
    in_force = IntakeProcessVersion.objects.filter(
        site=OuterRef("process__site"), valid_from__lte=day
    ).order_by("-valid_from", "-version")
    return (
        EntryRoute.objects.filter(process__site__in=sites)
        .filter(process_id=Subquery(in_force.values("pk")[:1]))
        .select_related("process__site")
        .order_by("process__site__name", "order")
    )


def person_cases(*, person: Person) -> QuerySet[IntakeCase]:
    return person.intake_cases.select_related("site", "entry_route", "process")


def _stages_by_process(process_ids: set[int]) -> dict[int, list[IntakeStageDefinition]]:
    stages: dict[int, list[IntakeStageDefinition]] = defaultdict(list)
    for stage in IntakeStageDefinition.objects.filter(process_id__in=process_ids):
        stages[stage.process_id].append(stage)
    return stages


@dataclass
class StageStatus:
    """Where one stage stands for one case."""

    stage: IntakeStageDefinition
    event: StageEvent | None
    ready: bool
    ready_since: datetime.date | None
    due: datetime.date | None
    missing_partners: list[str] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return (
            self.event is None
            and self.due is not None
            and self.due < timezone.localdate()
        )


def case_stage_statuses(
    case: IntakeCase,
    stages: list[IntakeStageDefinition],
    events: list[StageEvent],
    answers: list[PrescanAnswer],
) -> list[StageStatus]:
    """Every stage of the case's process, done or not, and whether it can start."""
    by_code: dict[str, StageEvent] = {}
    stage_codes = {stage.pk: stage.code for stage in stages}
    for event in events:
        by_code[stage_codes.get(event.stage_id, "")] = event
    answered = {answer.partner for answer in answers}
    statuses = []
    for stage in stages:
        needed = [by_code.get(code) for code in stage.requires]
        ready = all(event is not None and event.passed for event in needed)
        since = max((e.occurred_on for e in needed if e), default=case.opened_on)
        statuses.append(
            StageStatus(
                stage=stage,
                event=by_code.get(stage.code),
                ready=ready and case.is_open,
                ready_since=since if ready else None,
                due=due_date_for(stage, case=case, prerequisites_done_on=since)
                if ready
                else None,
                missing_partners=[
                    p for p in stage.prescan_partners if p not in answered
                ]
                if stage.kind == StageKind.PRESCAN
                else [],
            )
        )
    return statuses


def case_next_steps(statuses: list[StageStatus]) -> list[StageStatus]:
    """The stages that can start now and have not been recorded, the one due
    first at the top: what the case page shows first."""
    waiting = [s for s in statuses if s.ready and s.event is None]
    return sorted(waiting, key=lambda s: (s.due or datetime.date.max, s.stage.order))


def process_versions_for_site(*, site: Site) -> list[IntakeProcessVersion]:
    """The site's intake process versions, newest first, each stage carrying
    ``required_names``: the names of the stages it waits for."""
    processes = list(
        IntakeProcessVersion.objects.filter(site=site)
        .prefetch_related("stages", "entry_routes")
        .order_by("-version")
    )
    for process in processes:
        stages = list(process.stages.all())
        names = {stage.code: stage.name for stage in stages}
        for stage in stages:
            stage.required_names = [names.get(code, code) for code in stage.requires]
    return processes


def person_statuses() -> list[PersonStatus]:
    """What the intake says about a person, for the person list."""
    cases = IntakeCase.objects.filter(person=OuterRef("pk"))
    return [
        PersonStatus(
            "in_intake",
            _("in intake"),
            40,
            Exists(cases.filter(outcome=IntakeOutcome.OPEN)),
        ),
        PersonStatus(
            "intake_ended",
            _("intake ended"),
            10,
            Exists(
                cases.exclude(outcome__in=[IntakeOutcome.OPEN, IntakeOutcome.PLACED])
            ),
        ),
    ]


def case_search(
    *, user: AbstractBaseUser | AnonymousUser, text: str
) -> QuerySet[IntakeCase]:
    """The user's intake cases whose person matches ``text``, or whose number
    it is ("103" or "#103"); newest first, in one query."""
    cases = IntakeCase.objects.visible_to(user, CASE_READ_ROLES)
    matching = person_search(cases, text, researcher=False, path="person__")
    number = text.strip().lstrip("#")
    if number.isdigit() and len(number) <= 9:
        matching = matching | cases.filter(pk=int(number))
    return matching.select_related("person", "site", "entry_route").order_by(
        "-opened_on", "-pk"
    )

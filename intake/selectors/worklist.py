"""The worklist: the stages to do per open case, their due dates, one page
at a time, and the count of overdue items.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
)
from django.utils import timezone

from core.dates import add_days
from core.models import Site
from core.scoping import CASE_READ_ROLES
from intake.models import (
    DueAnchor,
    IntakeCase,
    IntakeCaseQuerySet,
    IntakeOutcome,
    IntakeStageDefinition,
    PrescanAnswer,
    StageEvent,
    StageKind,
    StageOutcome,
    stage_due_on,
)
from intake.selectors.cases import case_stage_statuses


@dataclass
class WorkItem:
    case: IntakeCase
    action: str
    stage: IntakeStageDefinition | None
    performer: str
    since: datetime.date | None
    due: datetime.date | None
    overdue: bool
    optional: bool = False
    partners: list[str] = field(default_factory=list)


#: work items on one page of the intake worklist
WORKLIST_PAGE_SIZE = 50


@dataclass
class Worklist:
    """One page of work items, and the counts over every item."""

    items: list[WorkItem]
    total: int
    overdue: int


_FAR = datetime.date.max


def _item_key(item: WorkItem) -> tuple:
    # overdue first, then by due date, possible-since date, case and stage
    order = item.stage.order if item.stage else -1
    return (not item.overdue, item.due or _FAR, item.since or _FAR, item.case.pk, order)


def _worked_on_items(
    cases: IntakeCaseQuerySet,
    stages: dict[int, list[IntakeStageDefinition]],
    today: datetime.date,
) -> list[WorkItem]:
    """Every item of open cases with a stage or pre-scan answer recorded,
    case by case (the rules of ``case_stage_statuses``)."""
    items: list[WorkItem] = []
    partner_labels = dict(PrescanAnswer._meta.get_field("partner").choices)
    cases = cases.select_related("person", "site").prefetch_related(
        Prefetch("events", queryset=StageEvent.objects.all()), "prescan_answers"
    )
    for case in cases:
        events = list(case.events.all())
        if any(event.outcome == StageOutcome.NEGATIVE for event in events):
            items.append(
                WorkItem(
                    case=case,
                    action="close",
                    stage=None,
                    performer="",
                    since=max(e.occurred_on for e in events),
                    due=None,
                    overdue=False,
                )
            )
            continue
        statuses = case_stage_statuses(
            case, stages[case.process_id], events, list(case.prescan_answers.all())
        )
        for status in statuses:
            if status.event is not None or not status.ready:
                continue
            items.append(
                _stage_item(
                    case,
                    status.stage,
                    since=status.ready_since,
                    due=status.due,
                    today=today,
                    partners=[str(partner_labels[p]) for p in status.missing_partners],
                )
            )
    return items


def _stage_item(
    case: IntakeCase,
    stage: IntakeStageDefinition,
    *,
    since: datetime.date | None,
    due: datetime.date | None,
    today: datetime.date,
    partners: list[str],
) -> WorkItem:
    return WorkItem(
        case=case,
        action="stage",
        stage=stage,
        performer=f"{stage.performer_role} ({stage.performer_organisation})",
        since=since,
        due=due,
        overdue=due is not None and due < today,
        optional=stage.optional,
        partners=partners,
    )


def _due_anchor_field(stage: IntakeStageDefinition) -> str | None:
    """The case's date a first stage's due date counts from, if it has one
    (before any stage is recorded the preceding stages' date is the
    opening date)."""
    if stage.due_offset_days is None or not stage.due_anchor:
        return None
    return "report_date" if stage.due_anchor == DueAnchor.REPORT_DATE else "opened_on"


def worklist_page(
    *,
    user: AbstractBaseUser | AnonymousUser,
    site: Site | None = None,
    today: datetime.date | None = None,
    offset: int = 0,
    limit: int | None = WORKLIST_PAGE_SIZE,
) -> Worklist:
    """What needs action now on the open cases the user may read: the items
    from ``offset`` (``limit`` of them; ``None``: all), with the number of
    items and of overdue items in total.

    Per open case: every stage whose preceding stages are passed and that is
    not recorded yet (with who performs it and the due date where the report
    sets one), and a closing action where a stage ended negative. Overdue
    items come first, then by due date.

    An imported list opens thousands of cases on which nothing is recorded
    yet; their items are the first stages of their process, so they are
    counted and ordered in the database, per process and first stage, and
    only the cases on the page are read. Cases with something recorded are
    worked out one by one. The query count does not depend on the number of
    cases, and the rows read on the number of cases worked on and the page.
    """
    today = today or timezone.localdate()
    cases = IntakeCase.objects.visible_to(user, CASE_READ_ROLES).filter(
        outcome=IntakeOutcome.OPEN, process__isnull=False
    )
    if site is not None:
        cases = cases.filter(site=site)
    worked_on = Q(Exists(StageEvent.objects.filter(case=OuterRef("pk")))) | Q(
        Exists(PrescanAnswer.objects.filter(case=OuterRef("pk")))
    )
    untouched = cases.filter(~worked_on)
    stages: dict[int, list[IntakeStageDefinition]] = defaultdict(list)
    for stage in IntakeStageDefinition.objects.filter(
        process__in=cases.order_by().values("process_id")
    ):
        stages[stage.process_id].append(stage)
    items = _worked_on_items(cases.filter(worked_on), stages, today)
    total, overdue = len(items), overdue_count(items)
    # the first stages of each process: the items of a case nothing is recorded on
    first = {
        process: [stage for stage in process_stages if not stage.requires]
        for process, process_stages in stages.items()
    }
    stages_first = [
        stage for process_stages in first.values() for stage in process_stages
    ]
    counts: dict[str, Any] = {}
    for process, process_stages in first.items():
        counts[f"cases_{process}"] = Count("pk", filter=Q(process_id=process))
        for stage in process_stages:
            anchor = _due_anchor_field(stage)
            if anchor is not None:
                # due < today exactly when the anchor is before today - offset
                late = {f"{anchor}__lt": add_days(today, -stage.due_offset_days)}
                counts[f"late_{stage.pk}"] = Count(
                    "pk", filter=Q(process_id=process, **late)
                )
    found = untouched.order_by().aggregate(**counts) if counts else {}
    total += sum(
        found[f"cases_{process}"] * len(process_stages)
        for process, process_stages in first.items()
    )
    overdue += sum(found.get(f"late_{stage.pk}", 0) for stage in stages_first)
    # past the end: the last page, whatever number was asked
    last = (total - 1) // limit * limit if limit and total else total
    offset = max(0, min(offset, last))
    partner_labels = dict(PrescanAnswer._meta.get_field("partner").choices)
    wanted = None if limit is None else offset + limit
    candidates: list[tuple[tuple, IntakeStageDefinition, datetime.date | None]] = []
    for process, process_stages in first.items():
        if not found.get(f"cases_{process}"):
            continue
        for stage in process_stages:
            anchor = _due_anchor_field(stage)
            order = [F(anchor).asc(nulls_last=True)] if anchor else []
            rows = (
                untouched.filter(process_id=process)
                .order_by(*order, "opened_on", "pk")
                .values_list("pk", "opened_on", "report_date")
            )
            if wanted is not None:
                rows = rows[:wanted]
            for pk, opened_on, report_date in rows:
                due = stage_due_on(
                    stage,
                    opened_on=opened_on,
                    report_date=report_date,
                    prerequisites_done_on=opened_on,
                )
                overdue_now = due is not None and due < today
                key = (not overdue_now, due or _FAR, opened_on, pk, stage.order)
                candidates.append((key, stage, due))
    candidates.sort(key=lambda candidate: candidate[0])
    if wanted is not None:
        candidates = candidates[:wanted]
    shown = IntakeCase.objects.select_related("person", "site").in_bulk(
        {key[3] for key, _stage, _due in candidates}
    )
    for key, stage, due in candidates:
        partners = (
            [str(partner_labels[p]) for p in stage.prescan_partners]
            if stage.kind == StageKind.PRESCAN
            else []
        )
        items.append(
            _stage_item(
                shown[key[3]],
                stage,
                since=key[2],
                due=due,
                today=today,
                partners=partners,
            )
        )
    items.sort(key=_item_key)
    end = None if limit is None else offset + limit
    return Worklist(items=items[offset:end], total=total, overdue=overdue)


def worklist(
    *,
    user: AbstractBaseUser | AnonymousUser,
    site: Site | None = None,
    today: datetime.date | None = None,
) -> list[WorkItem]:
    """Every item of the worklist (``worklist_page`` without a page)."""
    return worklist_page(user=user, site=site, today=today, limit=None).items


def overdue_count(items: list[WorkItem]) -> int:
    """Stages past their due date among worklist items."""
    return sum(1 for item in items if item.overdue)

"""Reads for intake: case lists, worklists and the funnel per site."""

from __future__ import annotations

import datetime
import statistics
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.concurrency import FieldChange
from core.dates import add_days
from core.models import Person, Site
from core.registry import PersonStatus
from core.scoping import CASE_READ_ROLES
from core.selectors import person_search
from intake.filters import IntakeCaseFilter
from intake.models import (
    PASSED_KIND_BITS,
    CaseDocument,
    CaseEndReason,
    CaseStageReach,
    CriterionCheck,
    DueAnchor,
    EndReasonCode,
    EntryRoute,
    ImportBatch,
    IntakeCase,
    IntakeCaseQuerySet,
    IntakeOutcome,
    IntakeProcessVersion,
    IntakeStageDefinition,
    PrescanAnswer,
    StageEvent,
    StageKind,
    StageOutcome,
    due_date_for,
    stage_due_on,
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


@dataclass
class ListlessSite:
    """A site that takes no lists, and how its candidates come in instead."""

    site: Site
    routes: list[str]


def sites_without_lists(*, sites: QuerySet[Site]) -> list[ListlessSite]:
    """Sites whose current intake process takes no imported list, with the
    routes by which candidates enter there (one query)."""
    routes: dict[int, list[EntryRoute]] = defaultdict(list)
    found = {}
    for route in current_entry_routes(sites=sites).filter(planned_only=False):
        routes[route.process.site_id].append(route)
        found[route.process.site_id] = route.process.site
    return [
        ListlessSite(found[site_id], [r.name for r in site_routes])
        for site_id, site_routes in routes.items()
        if not any(r.importable for r in site_routes)
    ]


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


# Stages reached ---------------------------------------------------------------


def _reach_rows(cases: IntakeCaseQuerySet, **groups: Any) -> list[tuple]:
    """Per group of cases: (the values of ``groups``, process id, furthest
    stage order, one 0/1 flag per stage kind: a stage of that kind passed,
    number of cases).

    ``groups`` are extra expressions to count by (a site, a month), in the
    order given. One statement that counts the cases with their per-case
    summary (``CaseStageReach``, read by ``IntakeCaseQuerySet.with_furthest``
    and ``with_passed_kinds`` as the case lists do): the cost is that of the
    cases, not of their stage events.
    """
    names = [f"group_{name}" for name in groups]
    counted = (
        cases.order_by()
        .annotate(**dict(zip(names, groups.values(), strict=True)))
        .with_furthest()
        .with_passed_kinds()
        .values(*names, "process_id", "furthest", "passed_kinds")
        .annotate(case_count=Count("pk"))
        .values_list(*names, "process_id", "furthest", "passed_kinds", "case_count")
    )
    bits = [PASSED_KIND_BITS[kind] for kind in StageKind.values]
    width = len(groups) + 2
    return [
        (*row[:width], *(1 if row[width] & bit else 0 for bit in bits), row[-1])
        for row in counted
    ]


def stage_reach_drift(
    cases: QuerySet[IntakeCase] | None = None,
) -> list[tuple[int, tuple[int, int] | None, tuple[int, int] | None]]:
    """Cases whose stored ``CaseStageReach`` differs from a recount of their
    stage events: (case id, stored (furthest order, passed kinds) or
    ``None``, recounted or ``None``). Empty when every summary is exact.
    ``cases`` (default: all) limits the check. Two queries; reads every
    summary and event of the cases, so it is for checks, not for pages."""
    events = StageEvent.objects.all()
    stored_rows = CaseStageReach.objects.all()
    if cases is not None:
        ids = cases.order_by().values("pk")
        events = events.filter(case_id__in=ids)
        stored_rows = stored_rows.filter(case_id__in=ids)
    counted = {
        row["case_id"]: (row["furthest_order"], row["passed_kinds"])
        for row in events.reach_per_case()
    }
    stored = {
        case_id: (furthest, passed)
        for case_id, furthest, passed in stored_rows.values_list(
            "case_id", "furthest_order", "passed_kinds"
        )
    }
    return [
        (case_id, stored.get(case_id), counted.get(case_id))
        for case_id in sorted(counted.keys() | stored.keys())
        if stored.get(case_id) != counted.get(case_id)
    ]


@dataclass
class StageReach:
    """Cases that got at least as far as each stage (by code and by kind),
    and per kind the cases that passed a stage of that kind."""

    by_code: dict[str, int]
    by_kind: dict[str, int]
    passed_by_kind: dict[str, int]
    #: all the cases counted (reached or not)
    cases: int = 0


def _reach(rows: list[tuple], stages: dict[int, list[tuple]]) -> StageReach:
    """``StageReach`` of ``_reach_rows`` rows without groups."""
    # per process: (furthest order, cases) sorted, so "cases at this order
    # or further" is a suffix sum looked up once per stage
    further: dict[int, tuple[list[int], list[int]]] = {}
    by_process: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for row in rows:
        by_process[row[0]].append((row[1], row[-1]))
    for process, pairs in by_process.items():
        pairs.sort()
        orders = [order for order, _count in pairs]
        suffix = [0] * (len(pairs) + 1)
        for index in range(len(pairs) - 1, -1, -1):
            suffix[index] = suffix[index + 1] + pairs[index][1]
        further[process] = (orders, suffix)

    def reaching(process: int, order: int) -> int:
        found = further.get(process)
        if found is None:
            return 0
        orders, suffix = found
        return suffix[bisect_left(orders, order)]

    by_code: dict[str, int] = defaultdict(int)
    first_of_kind: dict[tuple[int, str], int] = {}
    for process, code, kind, order in (
        stage for present in further for stage in stages.get(present, ())
    ):
        by_code[code] += reaching(process, order)
        first = first_of_kind.get((process, kind))
        first_of_kind[(process, kind)] = order if first is None else min(first, order)
    by_kind: dict[str, int] = defaultdict(int)
    for (process, kind), order in first_of_kind.items():
        by_kind[kind] += reaching(process, order)
    passed_by_kind = {
        kind: sum(row[-1] for row in rows if row[2 + index])
        for index, kind in enumerate(StageKind.values)
    }
    return StageReach(
        dict(by_code),
        dict(by_kind),
        passed_by_kind,
        cases=sum(row[-1] for row in rows),
    )


def _stages_of(rows: list[tuple], skip: int) -> dict[int, list[tuple]]:
    """The stage definitions of the processes in ``rows``, per process."""
    found: dict[int, list[tuple]] = defaultdict(list)
    for stage in IntakeStageDefinition.objects.filter(
        process_id__in={row[skip] for row in rows if row[skip]}
    ).values_list("process_id", "code", "kind", "order"):
        found[stage[0]].append(stage)
    return found


def stage_reach(cases: IntakeCaseQuerySet) -> StageReach:
    """How many of ``cases`` reached each stage: the one definition of the
    funnel, used by the intake funnel page, the dashboards and their case
    lists (``IntakeCaseQuerySet.reaching``).

    A case reached a stage when its process has the stage and the case has a
    stage recorded at that stage's place in the process or later, or was
    placed. Skipped optional or parallel stages therefore count as passed
    by, and along a process a later stage never counts more cases than an
    earlier one. A kind counts from its first stage in the case's process.
    Two queries, whatever the number of cases.
    """
    rows = _reach_rows(cases)
    return _reach(rows, _stages_of(rows, 0))


def stage_reach_by(cases: IntakeCaseQuerySet, **groups: Any) -> dict[tuple, StageReach]:
    """``stage_reach`` per group of cases: ``groups`` name expressions to
    group by (``site=F("site_id")``, ``month=TruncMonth("opened_on")``), and
    the answer maps each tuple of their values to its ``StageReach``. The
    same two queries, whatever the number of groups."""
    width = len(groups)
    rows = _reach_rows(cases, **groups)
    stages = _stages_of(rows, width)
    split: dict[tuple, list[tuple]] = defaultdict(list)
    for row in rows:
        split[row[:width]].append(row[width:])
    return {key: _reach(group, stages) for key, group in split.items()}


@dataclass
class FunnelCount:
    key: str
    label: str
    count: int
    query: str


@dataclass
class FunnelStage:
    code: str
    name: str
    reached: int
    passed: int
    failed: int
    conversion: float | None
    wait_n: int
    wait_median: float | None
    wait_min: int | None
    wait_max: int | None
    reached_query: str
    passed_query: str
    failed_query: str


@dataclass
class Funnel:
    site: Site
    start: datetime.date
    end: datetime.date
    total: int
    total_query: str
    routes: list[FunnelCount]
    stages: list[FunnelStage]
    outcomes: list[FunnelCount]
    end_reasons: list[FunnelCount]


def funnel_for_site(*, site: Site, start: datetime.date, end: datetime.date) -> Funnel:
    """The intake funnel of the cases of ``site`` opened from ``start`` to ``end``.

    Returns a ``Funnel``:

    - ``total``: cases entering in the period; ``routes``: per entry route
      (``FunnelCount(key=route code, label, count, query)``);
    - ``stages``: one ``FunnelStage`` per stage code of the process versions
      those cases use, in process order: ``reached`` (cases with the stage
      recorded), ``passed`` (completed or positive), ``failed`` (negative),
      ``conversion`` (passed / reached, ``None`` when nobody reached it), and
      the waiting time in days from the preceding stages (or the opening
      date) to this stage: ``wait_n``, ``wait_median``, ``wait_min``,
      ``wait_max`` (``None`` without data);
    - ``outcomes``: cases per coded end (``open`` included);
    - ``end_reasons``: cases per end reason code (a case may count in
      several).

    Every ``query`` is the query string of the case list
    (``intake:case_list``) that shows exactly the cases behind the number.
    Six queries whatever the number of cases, all counted in the database.
    """
    base = {
        "site": site.code,
        "opened_from": start.isoformat(),
        "opened_to": end.isoformat(),
    }

    def query(**extra: str) -> str:
        return urlencode({**base, **extra})

    opened_in_period = IntakeCase.objects.filter(
        site=site, opened_on__gte=start, opened_on__lte=end
    )
    reach = stage_reach(opened_in_period)
    # counted in the database: a list opens thousands of cases at once
    route_rows = (
        opened_in_period.order_by()
        .values_list("entry_route__code", "entry_route__name", "process_id", "outcome")
        .annotate(n=Count("pk"))
    )
    route_counts: Counter[str] = Counter()
    outcome_counts: Counter[str] = Counter()
    route_names: dict[str, str] = {}
    process_ids = set()
    # versions may rename a route; the code is what the case list filters on
    for code, name, process_id, outcome, count in sorted(
        route_rows, key=lambda row: row[2] or 0
    ):
        route_counts[code or ""] += count
        outcome_counts[outcome] += count
        if code:
            route_names[code] = name
        if process_id:
            process_ids.add(process_id)
    routes = [
        FunnelCount(code, route_names.get(code, "-"), count, query(route=code))
        for code, count in sorted(route_counts.items())
    ]
    # events are as many as the stages actually recorded, not the cases
    events = list(
        StageEvent.objects.filter(case__in=opened_in_period)
        .annotate(case_opened_on=F("case__opened_on"))
        .order_by("pk")
    )
    stages = _stages_by_process(process_ids)
    stage_by_pk = {s.pk: s for group in stages.values() for s in group}
    opened = {event.case_id: event.case_opened_on for event in events}
    events_by_case: dict[int, dict[str, StageEvent]] = defaultdict(dict)
    for event in events:
        events_by_case[event.case_id][stage_by_pk[event.stage_id].code] = event

    order: dict[str, tuple[int, int]] = {}
    names: dict[str, str] = {}
    for process_id in sorted(stages):
        for stage in stages[process_id]:
            order[stage.code] = (stage.order, process_id)
            names[stage.code] = stage.name
    rows = []
    for code in sorted(order, key=lambda c: order[c]):
        reached = reach.by_code.get(code, 0)
        passed = failed = 0
        waits: list[int] = []
        for event in events:
            stage = stage_by_pk[event.stage_id]
            if stage.code != code:
                continue
            if event.outcome == StageOutcome.NEGATIVE:
                failed += 1
            else:
                passed += 1
            previous = [
                events_by_case[event.case_id][needed].occurred_on
                for needed in stage.requires
                if needed in events_by_case[event.case_id]
            ]
            waits.append(
                (event.occurred_on - max(previous, default=opened[event.case_id])).days
            )
        rows.append(
            FunnelStage(
                code=code,
                name=names[code],
                reached=reached,
                passed=passed,
                failed=failed,
                conversion=passed / reached if reached else None,
                wait_n=len(waits),
                wait_median=statistics.median(waits) if waits else None,
                wait_min=min(waits, default=None),
                wait_max=max(waits, default=None),
                reached_query=query(reached=code),
                passed_query=query(passed=code),
                failed_query=query(failed=code),
            )
        )

    # where versions order stages differently, the funnel still never rises
    rows.sort(key=lambda row: -row.reached)
    outcomes = [
        FunnelCount(value, str(label), outcome_counts[value], query(outcome=value))
        for value, label in IntakeOutcome.choices
        if outcome_counts.get(value)
    ]
    # a case counts once per reason, however often it was recorded
    reason_counts = dict(
        CaseEndReason.objects.filter(case__in=opened_in_period)
        .order_by()
        .values_list("code")
        .annotate(n=Count("case_id", distinct=True))
    )
    end_reasons = [
        FunnelCount(value, str(label), reason_counts[value], query(reason=value))
        for value, label in EndReasonCode.choices
        if reason_counts.get(value)
    ]
    return Funnel(
        site=site,
        start=start,
        end=end,
        total=sum(route_counts.values()),
        total_query=query(),
        routes=routes,
        stages=rows,
        outcomes=outcomes,
        end_reasons=end_reasons,
    )


# Case fields whose change another user should see in a conflict.
CASE_CONFLICT_FIELDS = (
    "entry_route",
    "referring_organisation",
    "referring_person",
    "heard_via",
    "report_date",
    "outcome",
    "closed_on",
)
RECORDED_ON_CASE = (StageEvent, PrescanAnswer, CriterionCheck, CaseDocument)


def _shown(record: Any, field: Any) -> Any:
    if field.choices:
        return dict(field.flatchoices).get(getattr(record, field.attname), "")
    if field.is_relation:
        related_pk = getattr(record, field.attname)
        if related_pk is None:
            return ""
        return field.related_model._default_manager.filter(pk=related_pk).first()
    return getattr(record, field.attname)


def case_changes_since(
    *, case: IntakeCase, version: int, submitted: IntakeCase | None = None
) -> list[FieldChange]:
    """What others saved on ``case`` after the user's page showed ``version``.

    One row per case field that differs from then (with the user's own value
    when ``submitted`` carries one) and one per stage, pre-scan answer,
    criterion check or document recorded since. Each save on a case raises
    its version and writes a history row, which dates the change.
    """
    history = case.history.order_by("history_date", "history_id")
    then = history.filter(version=version).last()
    moved = history.filter(version__gt=version).first()
    changes: list[FieldChange] = []
    if then is not None:
        for name in CASE_CONFLICT_FIELDS:
            field = IntakeCase._meta.get_field(name)
            if getattr(then, field.attname) == getattr(case, field.attname):
                continue
            changes.append(
                FieldChange(
                    field=name,
                    label=str(field.verbose_name),
                    stored=_shown(case, field),
                    submitted=_shown(submitted, field) if submitted else "",
                )
            )
    if moved is None:
        return changes
    for model in RECORDED_ON_CASE:
        records = model.history.filter(
            case_id=case.pk, history_date__gte=moved.history_date
        ).select_related("history_user")
        for record in records.order_by("history_date"):
            user = record.history_user.get_username() if record.history_user else ""
            changes.append(
                FieldChange(
                    field=model._meta.model_name,
                    label=str(model._meta.verbose_name),
                    stored=f"{record.instance} ({user})" if user else record.instance,
                    submitted="",
                )
            )
    return changes


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


def import_opened_cases(batch: ImportBatch) -> QuerySet[IntakeCase]:
    """The intake cases a list import opened, by name."""
    return batch.cases.select_related("person").order_by(
        "person__last_name", "person__first_name"
    )


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

"""Stage reach: how far cases got through the intake stages (the one
definition of "reached a stage"), in total and per group, and the check
of the stored reach summary against it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Count,
    QuerySet,
)

from intake.models import (
    PASSED_KIND_BITS,
    CaseStageReach,
    IntakeCase,
    IntakeCaseQuerySet,
    IntakeStageDefinition,
    StageEvent,
    StageKind,
)

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

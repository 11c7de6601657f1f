"""The intake funnel of a site over a period: entries per route, stage
counts, outcomes and end reasons.
"""

from __future__ import annotations

import datetime
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import (
    Count,
    F,
)

from core.models import Site
from intake.models import (
    CaseEndReason,
    EndReasonCode,
    IntakeCase,
    IntakeOutcome,
    StageEvent,
    StageOutcome,
)
from intake.selectors.cases import _stages_by_process
from intake.selectors.reach import stage_reach


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

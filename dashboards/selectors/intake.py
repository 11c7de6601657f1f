"""The intake funnel: cases opened in the period, stages reached, how they ended."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, F
from django.db.models.functions import TruncMonth

from dashboards.scope import Scope
from intake.filters import PASSED_OUTCOMES
from intake.models import (
    CaseEndReason,
    EndReasonCode,
    IntakeCase,
    IntakeCaseQuerySet,
    IntakeOutcome,
    IntakeStageDefinition,
    StageEvent,
    StageKind,
)
from intake.selectors import StageReach, stage_reach, stage_reach_by


@dataclass
class StageRow:
    key: str
    label: str
    reached: int
    passed: int


@dataclass
class Funnel:
    opened: int
    placed: int
    stages: list[StageRow] = field(default_factory=list)
    outcomes: list[tuple[str, str, int]] = field(default_factory=list)
    end_reasons: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def conversion(self) -> float | None:
        """Share of the opened cases that led to a placement, in percent."""
        if not self.opened:
            return None
        return round(100 * self.placed / self.opened, 1)


def cases_in(scope: Scope) -> IntakeCaseQuerySet:
    period = scope.period
    return IntakeCase.objects.filter(
        site_id__in=scope.site_ids, opened_on__range=(period.start, period.end)
    )


def _never_rising(stages: list[StageRow]) -> list[StageRow]:
    """Stages in process order; where process versions or sites order their
    stages differently, the stage more cases reached comes first (a stable
    sort: a funnel that already narrows keeps its order)."""
    return sorted(stages, key=lambda stage: -stage.reached)


def _passed_by_code(scope: Scope) -> dict[str, int]:
    """Per stage code: cases with that stage passed (``PASSED_OUTCOMES``); a
    case has one stage per code, so its events need no distinct count."""
    return dict(
        StageEvent.objects.filter(case__in=cases_in(scope), outcome__in=PASSED_OUTCOMES)
        .values_list("stage__code")
        .annotate(n=Count("id"))
        .order_by()
    )


def funnel(scope: Scope, reach: StageReach | None = None) -> Funnel:
    """Cases opened in the period and how far they got, over several sites.

    Sites' pipelines differ, so stages are grouped by their kind and the rows
    compare; one site's own stages come from ``site_funnel``. "Reached" is
    ``intake.selectors.stage_reach``: the case got at least that far.
    ``reach``, when given, is that of ``cases_in(scope)`` read already (a
    dashboard sums it from ``reach_by_site_and_month``).
    """
    outcome_counts = dict(
        cases_in(scope).values_list("outcome").annotate(n=Count("id")).order_by()
    )
    opened = sum(outcome_counts.values())
    if reach is None:
        reach = stage_reach(cases_in(scope))
    passed = reach.passed_by_kind
    kinds = dict(StageKind.choices)
    order = list(kinds)
    stages = [
        StageRow(kind, str(kinds.get(kind, kind)), reached, passed.get(kind, 0))
        for kind, reached in sorted(
            reach.by_kind.items(),
            key=lambda item: order.index(item[0]) if item[0] in order else 99,
        )
    ]
    reasons = dict(
        CaseEndReason.objects.filter(case__in=cases_in(scope))
        .values_list("code")
        .annotate(n=Count("case", distinct=True))
        .order_by()
    )
    return Funnel(
        opened=opened,
        placed=outcome_counts.get(IntakeOutcome.PLACED, 0),
        stages=_never_rising(stages),
        outcomes=[
            (value, str(label), outcome_counts.get(value, 0))
            for value, label in IntakeOutcome.choices
        ],
        end_reasons=[
            (value, str(label), reasons[value])
            for value, label in EndReasonCode.choices
            if reasons.get(value)
        ],
    )


def site_funnel(scope: Scope, reach: StageReach | None = None) -> Funnel:
    """One site's funnel, its own stages in process order.

    The counts of ``intake.selectors.funnel_for_site`` (a stage code shared
    by process versions is one row), with grouped queries so the
    dashboard's cost does not grow with the number of cases. Waiting times
    per stage are on the intake app's own funnel page.
    """
    if reach is None:
        reach = stage_reach(cases_in(scope))
    found = funnel(scope, reach)
    passed = _passed_by_code(scope)
    stages: dict[str, StageRow] = {}
    for code, name in (
        IntakeStageDefinition.objects.filter(
            process__in=cases_in(scope).values("process")
        )
        .order_by("order", "process_id")
        .values_list("code", "name")
    ):
        stages.setdefault(
            code, StageRow(code, name, reach.by_code.get(code, 0), passed.get(code, 0))
        )
    found.stages = _never_rising(list(stages.values()))
    return found


def stage_names_by_kind(scope: Scope) -> dict[str, list[str]]:
    """The sites' own names of their stages, per kind, for the programme funnel."""
    names: dict[str, list[str]] = {}
    for kind, name in (
        IntakeStageDefinition.objects.filter(process__site_id__in=scope.site_ids)
        .order_by("kind", "name")
        .values_list("kind", "name")
        .distinct()
    ):
        names.setdefault(kind, []).append(name)
    return names


def reach_by_site_and_month(
    scope: Scope,
) -> dict[tuple[int, datetime.date], StageReach]:
    """``stage_reach`` of the cases opened in the period, per site and per
    month of opening (``StageReach.cases``: the cases opened), in the same
    two queries for any number of sites and months."""
    found = stage_reach_by(
        cases_in(scope), site=F("site_id"), month=TruncMonth("opened_on")
    )
    return {
        (site_id, _as_date(month)): reach for (site_id, month), reach in found.items()
    }


def _as_date(value: datetime.date | datetime.datetime | str) -> datetime.date:
    # a raw cursor on SQLite answers a truncated month as text
    if isinstance(value, str):
        return datetime.date.fromisoformat(value[:10])
    return value.date() if isinstance(value, datetime.datetime) else value


def merged_reach(parts: Iterable[StageReach]) -> StageReach:
    """One ``StageReach`` of several disjoint groups of cases (their sum)."""
    found = StageReach({}, {}, {}, cases=0)
    for part in parts:
        for total, counts in (
            (found.by_code, part.by_code),
            (found.by_kind, part.by_kind),
            (found.passed_by_kind, part.passed_by_kind),
        ):
            for key, count in counts.items():
                total[key] = total.get(key, 0) + count
        found.cases += part.cases
    return found

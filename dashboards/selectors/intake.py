"""The intake funnel: cases opened in the period, stages reached, how they ended."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from dashboards.scope import Scope
from intake.models import (
    CaseEndReason,
    EndReasonCode,
    IntakeCase,
    IntakeOutcome,
    IntakeStageDefinition,
    StageEvent,
    StageKind,
    StageOutcome,
)


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


def cases_in(scope: Scope):
    period = scope.period
    return IntakeCase.objects.filter(
        site_id__in=scope.site_ids, opened_on__range=(period.start, period.end)
    )


def funnel(scope: Scope) -> Funnel:
    """Cases opened in the period and how far they got, over several sites.

    Sites' pipelines differ, so stages are grouped by their kind and the rows
    compare; one site's own stages come from ``site_funnel``.
    """
    outcome_counts = dict(
        cases_in(scope).values_list("outcome").annotate(n=Count("id"))
    )
    opened = sum(outcome_counts.values())
    passed = Count("case", filter=~Q(outcome=StageOutcome.NEGATIVE), distinct=True)
    kinds = dict(StageKind.choices)
    order = list(kinds)
    grouped = (
        StageEvent.objects.filter(case__in=cases_in(scope))
        .values("stage__kind")
        .annotate(reached=Count("case", distinct=True), passed=passed)
        .order_by()
    )
    stages = sorted(
        (
            StageRow(
                row["stage__kind"],
                str(kinds.get(row["stage__kind"], row["stage__kind"])),
                row["reached"],
                row["passed"],
            )
            for row in grouped
        ),
        key=lambda stage: order.index(stage.key) if stage.key in order else 99,
    )
    reasons = dict(
        CaseEndReason.objects.filter(case__in=cases_in(scope))
        .values_list("code")
        .annotate(n=Count("case", distinct=True))
    )
    return Funnel(
        opened=opened,
        placed=outcome_counts.get(IntakeOutcome.PLACED, 0),
        stages=stages,
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


def site_funnel(scope: Scope) -> Funnel:
    """One site's funnel, its own stages in process order.

    Counts follow ``intake.selectors.funnel_for_site`` (a stage code shared
    by process versions is one row; passed means completed or positive),
    computed with grouped queries so the dashboard's cost does not grow with
    the number of cases. Waiting times per stage are on the intake app's own
    funnel page.
    """
    found = funnel(scope)
    passed = Count("case", filter=~Q(outcome=StageOutcome.NEGATIVE), distinct=True)
    grouped = (
        StageEvent.objects.filter(case__in=cases_in(scope))
        .values("stage__code", "stage__name", "stage__order", "stage__process_id")
        .annotate(reached=Count("case", distinct=True), passed=passed)
        .order_by("stage__order", "stage__process_id")
    )
    stages: dict[str, StageRow] = {}
    for row in grouped:
        stage = stages.setdefault(
            row["stage__code"],
            StageRow(row["stage__code"], row["stage__name"], 0, 0),
        )
        stage.reached += row["reached"]
        stage.passed += row["passed"]
    found.stages = list(stages.values())
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

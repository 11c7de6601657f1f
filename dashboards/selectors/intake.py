"""The intake funnel: cases opened in the period, stages reached, how they ended."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from core.models import Site
from dashboards.scope import Scope
from intake.models import (
    CaseEndReason,
    EndReasonCode,
    IntakeCase,
    IntakeOutcome,
    StageEvent,
    StageKind,
    StageOutcome,
)
from intake.selectors import funnel_for_site


@dataclass
class StageRow:
    key: str
    label: str
    reached: int
    passed: int
    wait_median: float | None = None


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


def site_funnel(scope: Scope, site: Site) -> Funnel:
    """One site's funnel from the intake app's own selector.

    The intake app computes stages in process order with waiting times; its
    numbers are kept as they are so the intake pages and the dashboard agree.
    """
    found = funnel_for_site(site=site, start=scope.period.start, end=scope.period.end)
    outcomes = {row.key: row.count for row in found.outcomes}
    return Funnel(
        opened=found.total,
        placed=outcomes.get(IntakeOutcome.PLACED, 0),
        stages=[
            StageRow(
                stage.code, stage.name, stage.reached, stage.passed, stage.wait_median
            )
            for stage in found.stages
        ],
        outcomes=[
            (value, str(label), outcomes.get(value, 0))
            for value, label in IntakeOutcome.choices
        ],
        end_reasons=[(row.key, row.label, row.count) for row in found.end_reasons],
    )

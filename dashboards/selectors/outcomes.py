"""Measurement completeness per moment and change on the protective factors."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db.models import Count, QuerySet

from dashboards.scope import Scope
from evaluation.models import (
    WITHOUT_DATA,
    Answer,
    Measurement,
    MeasurementStatus,
    Moment,
)

FACTORS_FILE = (
    Path(settings.BASE_DIR) / "fixtures" / "reference" / "protective_factors.yaml"
)
FACTOR_MOMENTS = (Moment.NULMETING, Moment.EINDMETING, Moment.NAMETING)


@dataclass
class MomentCompleteness:
    moment: str
    planned: int = 0
    complete: int = 0
    cancelled: int = 0
    answers: int = 0
    missing: dict[str, int] = field(default_factory=dict)

    @property
    def percent_complete(self) -> float | None:
        counted = self.planned - self.cancelled
        return round(100 * self.complete / counted, 1) if counted > 0 else None

    @property
    def missing_total(self) -> int:
        return sum(self.missing.values())


#: measurements still to be done (due, neither complete nor cancelled)
OPEN_MEASUREMENT_STATUSES = (MeasurementStatus.PLANNED, MeasurementStatus.IN_PROGRESS)


def measurements_in(scope: Scope):
    period = scope.period
    return Measurement.objects.filter(
        stay__site_id__in=scope.site_ids, due_on__range=(period.start, period.end)
    )


def completeness_by_moment(scope: Scope) -> list[MomentCompleteness]:
    """Measurements due in the period per moment, and the answers they hold.

    Missing answers are counted per recorded reason, so "refused" and "not
    asked" stay apart in the table.
    """
    rows = {moment: MomentCompleteness(moment) for moment in Moment.values}
    for moment, status, count in (
        measurements_in(scope)
        .order_by()
        .values_list("moment", "status")
        .annotate(n=Count("id"))
    ):
        entry = rows[moment]
        entry.planned += count
        if status == MeasurementStatus.COMPLETE:
            entry.complete += count
        elif status in WITHOUT_DATA:
            entry.cancelled += count
    for moment, reason, count in (
        Answer.objects.filter(measurement__in=measurements_in(scope).order_by())
        .order_by()
        .values_list("measurement__moment", "missing_reason")
        .annotate(n=Count("id"))
    ):
        entry = rows[moment]
        if reason:
            entry.missing[reason] = entry.missing.get(reason, 0) + count
        else:
            entry.answers += count
    return list(rows.values())


@cache
def protective_factors() -> dict[str, Any]:
    with FACTORS_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@dataclass
class FactorChange:
    code: str
    name: str
    means: dict[str, float | None]
    counts: dict[str, int]

    def change(self, moment: str) -> float | None:
        start, later = self.means.get(Moment.NULMETING), self.means.get(moment)
        if start is None or later is None:
            return None
        return round(later - start, 2)


def _decode(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def factor_answers(scope: Scope, code: str = "", moment: str = "") -> QuerySet[Answer]:
    """The scored answers on the protective factors (of ``code`` at ``moment``
    when given) of the stays whose outflow falls in the period."""
    config = protective_factors()
    variables = [
        var
        for factor in config["factors"]
        if not code or factor["code"] == code
        for var in factor["vars"]
    ]
    period = scope.period
    return Answer.objects.filter(
        measurement__stay__site_id__in=scope.site_ids,
        measurement__stay__ended_on__range=(period.start, period.end),
        measurement__moment__in=[moment] if moment else FACTOR_MOMENTS,
        item__var__in=variables,
        value__in=list(config["scores"]),
    )


def factor_change(scope: Scope) -> list[FactorChange]:
    """Mean score per protective factor at nulmeting, eindmeting and nameting.

    The cohort is the stays whose outflow falls in the period, so the three
    moments describe the same people; their nameting may lie after it.
    """
    config = protective_factors()
    scores: dict[str, int] = config["scores"]
    factor_of = {
        var: factor["code"] for factor in config["factors"] for var in factor["vars"]
    }
    sums: dict[tuple[str, str], list[int]] = {}
    grouped = (
        factor_answers(scope)
        .values_list("item__var", "measurement__moment", "value")
        .annotate(n=Count("id"))
        .order_by()
    )
    for var, moment, value, count in grouped:
        score = scores.get(_decode(value))
        if score is None:
            continue
        total = sums.setdefault((factor_of[var], moment), [0, 0])
        total[0] += score * count
        total[1] += count
    found = []
    for factor in config["factors"]:
        means: dict[str, float | None] = {}
        counts: dict[str, int] = {}
        for moment in FACTOR_MOMENTS:
            total, count = sums.get((factor["code"], moment), (0, 0))
            means[moment] = round(total / count, 2) if count else None
            counts[moment] = count
        found.append(FactorChange(factor["code"], factor["name"], means, counts))
    return found

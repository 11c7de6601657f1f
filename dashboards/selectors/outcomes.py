"""Measurement completeness per moment and change on the protective factors.

Both read evaluation's answer summaries (``evaluation.summaries``): the
answer counts per measurement and the protective-factor scores per
measurement, never the answers one by one. The case lists behind the
figures (``dashboards.metrics``) select through the same summaries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet, Sum

from dashboards.scope import Scope
from evaluation.models import (
    WITHOUT_DATA,
    Measurement,
    MeasurementAnswerCount,
    MeasurementFactorScore,
    MeasurementStatus,
    MissingReason,
    Moment,
)
from evaluation.protective_factors import FACTOR_MOMENTS, protective_factors


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


def _missing_sum(reason: str) -> str:
    return f"answer_count__{MeasurementAnswerCount.missing_field(reason)}"


def measurements_missing(scope: Scope, moment: str, reason: str) -> QuerySet:
    """The measurements due in the period at ``moment`` whose answer counts
    hold answers missing for ``reason``."""
    return measurements_in(scope).filter(
        moment=moment, **{f"{_missing_sum(reason)}__gt": 0}
    )


def completeness_by_moment(scope: Scope) -> list[MomentCompleteness]:
    """Measurements due in the period per moment, and the answers they hold.

    Missing answers are counted per recorded reason, so "refused" and "not
    asked" stay apart in the table. One query: the measurements grouped by
    moment and status, with their answer counts added up.
    """
    rows = {moment: MomentCompleteness(moment) for moment in Moment.values}
    missing = {
        f"missing_{reason}": Sum(_missing_sum(reason))
        for reason in MissingReason.values
    }
    grouped = (
        measurements_in(scope)
        .order_by()
        .values("moment", "status")
        .annotate(measured=Count("id"), given=Sum("answer_count__answered"), **missing)
    )
    for group in grouped:
        entry = rows[group["moment"]]
        count, status = group["measured"], group["status"]
        entry.planned += count
        if status == MeasurementStatus.COMPLETE:
            entry.complete += count
        elif status in WITHOUT_DATA:
            entry.cancelled += count
        entry.answers += group["given"] or 0
        for reason in MissingReason.values:
            number = group[f"missing_{reason}"] or 0
            if number:
                entry.missing[reason] = entry.missing.get(reason, 0) + number
    return list(rows.values())


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


def factor_scores(
    scope: Scope, code: str = "", moment: str = ""
) -> QuerySet[MeasurementFactorScore]:
    """The protective-factor scores (of ``code`` at ``moment`` when given) of
    the measurements of the stays whose outflow falls in the period: a row
    per measurement and factor with a scored answer."""
    period = scope.period
    scores = MeasurementFactorScore.objects.filter(
        site_id__in=scope.site_ids,
        stay_ended_on__range=(period.start, period.end),
        moment__in=[moment] if moment else FACTOR_MOMENTS,
    )
    return scores.filter(factor=code) if code else scores


def factor_change(scope: Scope) -> list[FactorChange]:
    """Mean score per protective factor at nulmeting, eindmeting and nameting.

    The cohort is the stays whose outflow falls in the period, so the three
    moments describe the same people; their nameting may lie after it.
    """
    sums = {
        (factor, moment): (total, count)
        for factor, moment, total, count in factor_scores(scope)
        .order_by()
        .values_list("factor", "moment")
        .annotate(total=Sum("score_sum"), count=Sum("answered"))
    }
    found = []
    for factor in protective_factors()["factors"]:
        means: dict[str, float | None] = {}
        counts: dict[str, int] = {}
        for moment in FACTOR_MOMENTS:
            total, count = sums.get((factor["code"], moment), (0, 0))
            means[moment] = round(total / count, 2) if count else None
            counts[moment] = count
        found.append(FactorChange(factor["code"], factor["name"], means, counts))
    return found

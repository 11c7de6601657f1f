"""The cases behind every number on a dashboard.

Each number links to the case list with a ``metric`` and a ``key``; this
registry turns the pair back into the stays (and so the people) that were
counted, using the same selectors as the dashboard. A metric unknown here
gives an empty list, never an error.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db.models import Q, QuerySet

from dashboards import b7
from dashboards.scope import Scope
from dashboards.selectors import flow, intake, outcomes
from evaluation.models import Answer, MeasurementStatus
from intake.models import CaseEndReason, StageEvent, StageOutcome
from trajectories.models import Incident, Stay
from trajectories.models.stays import Consequence

PersonIds = QuerySet  # a values_list("person_id") queryset or a set of ids


def _month(key: str) -> tuple[datetime.date, datetime.date] | None:
    try:
        first = datetime.date.fromisoformat(f"{key}-01")
    except ValueError:
        return None
    following = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def _clip(scope: Scope, key: str, field: str) -> Q:
    period = scope.period
    month = _month(key) if key else None
    start, end = month or (period.start, period.end)
    return Q(**{f"{field}__range": (max(start, period.start), min(end, period.end))})


def _inflow(scope: Scope, key: str, participant: bool) -> PersonIds:
    return (
        flow.stays_in(scope)
        .filter(_clip(scope, key, "placed_on"), participant=participant)
        .values_list("person_id", flat=True)
    )


def _outflow(scope: Scope, key: str) -> PersonIds:
    return (
        flow.stays_in(scope)
        .filter(_clip(scope, key, "ended_on"))
        .values_list("person_id", flat=True)
    )


def _occupancy(scope: Scope, key: str) -> PersonIds:
    day_text, _sep, group = key.partition(":")
    try:
        day = datetime.date.fromisoformat(day_text)
    except ValueError:
        return Stay.objects.none().values_list("person_id", flat=True)
    stays = (
        flow.stays_in(scope)
        .filter(placed_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
    )
    if group in ("participants", "others"):
        stays = stays.filter(participant=group == "participants")
    return stays.values_list("person_id", flat=True)


def _exit(scope: Scope, key: str) -> PersonIds:
    period = scope.period
    if key == flow.TEMPORARY_RETURN:
        return Incident.objects.filter(
            stay__site_id__in=scope.site_ids,
            consequence=Consequence.TEMPORARY_RETURN,
            occurred_on__range=(period.start, period.end),
        ).values_list("stay__person_id", flat=True)
    return (
        flow.stays_in(scope)
        .filter(ended_on__range=(period.start, period.end), outflow_type=key)
        .values_list("person_id", flat=True)
    )


def _length(scope: Scope, key: str) -> PersonIds:
    if key == flow.WHOLE_STAY:
        return _outflow(scope, "")
    stay_ids = {
        stay_id
        for phase in flow.phase_days(scope)
        if phase.code == key
        for stay_id in phase.done
    }
    return Stay.objects.filter(pk__in=stay_ids).values_list("person_id", flat=True)


def _cases(scope: Scope, key: str) -> PersonIds:
    cases = intake.cases_in(scope)
    if key:
        cases = cases.filter(outcome=key)
    return cases.values_list("person_id", flat=True)


def _stage(scope: Scope, key: str, field: str) -> PersonIds:
    group, _sep, passed = key.partition(":")
    events = StageEvent.objects.filter(
        case__in=intake.cases_in(scope), **{field: group}
    )
    if passed == "passed":
        events = events.exclude(outcome=StageOutcome.NEGATIVE)
    return events.values_list("case__person_id", flat=True)


def _end_reason(scope: Scope, key: str) -> PersonIds:
    return CaseEndReason.objects.filter(
        case__in=intake.cases_in(scope), code=key
    ).values_list("case__person_id", flat=True)


def _b7(scope: Scope, key: str) -> PersonIds:
    result = b7.b7_tables(scope, programme="", plan="")
    row = result.row(key)
    stay_ids = row.stay_ids if row else set()
    return Stay.objects.filter(pk__in=stay_ids).values_list("person_id", flat=True)


def _completeness(scope: Scope, key: str) -> PersonIds:
    moment, _sep, status = key.partition(":")
    measurements = outcomes.measurements_in(scope).filter(moment=moment)
    if status in MeasurementStatus.values:
        measurements = measurements.filter(status=status)
    elif status:
        # a missing-data reason: the measurements holding such an answer
        measurements = measurements.filter(
            pk__in=Answer.objects.filter(missing_reason=status).values("measurement_id")
        )
    return measurements.values_list("stay__person_id", flat=True)


def _factor(scope: Scope, key: str) -> PersonIds:
    code, _sep, moment = key.partition(":")
    config = outcomes.protective_factors()
    variables = next((f["vars"] for f in config["factors"] if f["code"] == code), [])
    period = scope.period
    return Answer.objects.filter(
        measurement__stay__site_id__in=scope.site_ids,
        measurement__stay__ended_on__range=(period.start, period.end),
        measurement__moment=moment,
        item__var__in=variables,
        value__isnull=False,
    ).values_list("measurement__stay__person_id", flat=True)


METRICS: dict[str, Callable[[Scope, str], PersonIds]] = {
    "inflow_participants": lambda scope, key: _inflow(scope, key, True),
    "inflow_others": lambda scope, key: _inflow(scope, key, False),
    "outflow": _outflow,
    "occupancy": _occupancy,
    "exit": _exit,
    "length": _length,
    "intake": _cases,
    "stage": lambda scope, key: _stage(scope, key, "stage__code"),
    "stage_kind": lambda scope, key: _stage(scope, key, "stage__kind"),
    "end_reason": _end_reason,
    "b7": _b7,
    "completeness": _completeness,
    "factor": _factor,
}


def people_behind(scope: Scope, metric: str, key: str) -> PersonIds | None:
    """Ids of the people counted in ``metric``/``key``; None for an unknown metric."""
    finder = METRICS.get(metric)
    if finder is None:
        return None
    return finder(scope, key)

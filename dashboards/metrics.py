"""The cases behind every number on a dashboard.

Each number links to the case list with a ``metric`` and a ``key``; this
registry turns the pair back into the stays (and so the people) that were
counted, using the same selectors as the dashboard. A metric unknown here
gives an empty list, never an error.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.dates import in_range
from dashboards import b7
from dashboards.scope import Scope
from dashboards.selectors import flow, intake, outcomes
from evaluation.models import Answer, MeasurementStatus, MissingReason, Moment
from evaluation.protective_factors import factor_name
from intake.filters import PASSED_OUTCOMES
from intake.models import (
    CaseEndReason,
    EndReasonCode,
    IntakeOutcome,
    IntakeStageDefinition,
    StageKind,
)
from trajectories import selectors as trajectory_selectors
from trajectories.models import Employment, Stay, StayPhase, WorkRuleKind
from trajectories.models.stays import OutflowType


@dataclass(frozen=True)
class Counted:
    """What one number counted: one row per stay, case, measurement, answer,
    incident or job, and the lookup from such a row to its person. The case
    list shows one line per row, so its length is the number."""

    rows: QuerySet
    person: str


def _month(key: str) -> tuple[datetime.date, datetime.date] | None:
    try:
        first = datetime.date.fromisoformat(f"{key}-01")
    except ValueError:
        return None
    if not in_range(first):
        return None
    following = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def _clip(scope: Scope, key: str) -> tuple[datetime.date, datetime.date]:
    """The month ``key`` (YYYY-MM) within the period, or the whole period."""
    period = scope.period
    month = _month(key) if key else None
    start, end = month or (period.start, period.end)
    return max(start, period.start), min(end, period.end)


def _inflow(scope: Scope, key: str, participant: bool | None) -> Counted:
    stays = flow.stays_in(scope).placed_between(*_clip(scope, key))
    if participant is not None:
        stays = stays.filter(participant=participant)
    return Counted(stays, "person")


def _due(scope: Scope, key: str) -> Counted:
    measurements = outcomes.measurements_in(scope).filter(
        status__in=outcomes.OPEN_MEASUREMENT_STATUSES
    )
    return Counted(measurements, "stay__person")


def _outflow(scope: Scope, key: str) -> Counted:
    return Counted(flow.stays_in(scope).ended_between(*_clip(scope, key)), "person")


def _occupancy(scope: Scope, key: str) -> Counted:
    day_text, _sep, group = key.partition(":")
    try:
        day = datetime.date.fromisoformat(day_text)
    except ValueError:
        return Counted(Stay.objects.none(), "person")
    stays = flow.stays_in(scope).present_on(day)
    if group in ("participants", "others"):
        stays = stays.filter(participant=group == "participants")
    return Counted(stays, "person")


def _exit(scope: Scope, key: str) -> Counted:
    period = scope.period
    if key == flow.TEMPORARY_RETURN:
        return Counted(flow.temporary_returns(scope), "stay__person")
    stays = (
        flow.stays_in(scope)
        .ended_between(period.start, period.end)
        .filter(outflow_type=key)
    )
    return Counted(stays, "person")


def _length(scope: Scope, key: str) -> Counted:
    if key == flow.WHOLE_STAY:
        return _outflow(scope, "")
    stay_ids = {
        stay_id
        for phase in flow.phase_days(scope)
        if phase.code == key
        for stay_id in phase.done
    }
    return Counted(Stay.objects.filter(pk__in=stay_ids), "person")


def _cases(scope: Scope, key: str) -> Counted:
    cases = intake.cases_in(scope)
    if key:
        cases = cases.filter(outcome=key)
    return Counted(cases, "person")


def _stage(scope: Scope, key: str, field: str) -> Counted:
    group, _sep, passed = key.partition(":")
    stage = {field: group}
    cases = intake.cases_in(scope)
    if passed == "passed":
        cases = cases.with_stage(PASSED_OUTCOMES, **stage)
    else:
        cases = cases.reaching(**stage)
    return Counted(cases, "person")


def _end_reason(scope: Scope, key: str) -> Counted:
    cases = intake.cases_in(scope).filter(
        Exists(CaseEndReason.objects.filter(case=OuterRef("pk"), code=key))
    )
    return Counted(cases, "person")


def _b7(scope: Scope, key: str) -> Counted:
    stay_ids = b7.b7_tables(scope, programme="", plan="").people(key)
    return Counted(Stay.objects.filter(pk__in=stay_ids), "person")


def _completeness(scope: Scope, key: str) -> Counted:
    moment, _sep, status = key.partition(":")
    measurements = outcomes.measurements_in(scope).filter(moment=moment)
    if status in MeasurementStatus.values:
        return Counted(measurements.filter(status=status), "stay__person")
    if status in MissingReason.values:
        # the answers missing for that reason, of the measurements whose
        # answer counts hold them (the counts the figure adds up)
        answers = Answer.objects.filter(
            measurement__in=outcomes.measurements_missing(scope, moment, status),
            missing_reason=status,
        )
        return Counted(answers, "measurement__stay__person")
    if status:
        return Counted(measurements.none(), "stay__person")
    return Counted(measurements, "stay__person")


def _factor(scope: Scope, key: str) -> Counted:
    code, _sep, moment = key.partition(":")
    # one row per measurement scored on the factor: a measurement answers
    # one item per factor (tests/evaluation/test_protective_factors.py)
    return Counted(
        outcomes.factor_scores(scope, code, moment), "measurement__stay__person"
    )


def _jobs(scope: Scope) -> QuerySet:
    period = scope.period
    return trajectory_selectors.jobs_during(
        site_ids=scope.site_ids, start=period.start, end=period.end
    )


def _work_rule_breach(scope: Scope, key: str) -> Counted:
    jobs = {
        breach.job.pk
        for breach in trajectory_selectors.work_rule_breaches(_jobs(scope))
        if not key or key in breach.kinds
    }
    return Counted(Employment.objects.filter(pk__in=jobs), "stay__person")


METRICS: dict[str, Callable[[Scope, str], Counted]] = {
    "inflow_participants": lambda scope, key: _inflow(scope, key, True),
    "inflow_others": lambda scope, key: _inflow(scope, key, False),
    "inflow": lambda scope, key: _inflow(scope, key, None),
    "due": _due,
    "outflow": _outflow,
    "occupancy": _occupancy,
    "exit": _exit,
    "length": _length,
    "intake": _cases,
    "stage": lambda scope, key: _stage(scope, key, "code"),
    "stage_kind": lambda scope, key: _stage(scope, key, "kind"),
    "end_reason": _end_reason,
    "b7": _b7,
    "completeness": _completeness,
    "factor": _factor,
    "jobs": lambda scope, key: Counted(_jobs(scope), "stay__person"),
    "work_rule_breach": _work_rule_breach,
}


def rows_behind(scope: Scope, metric: str, key: str) -> Counted | None:
    """The records counted in ``metric``/``key``; None for an unknown metric."""
    finder = METRICS.get(metric)
    if finder is None:
        return None
    return finder(scope, key)


# What a number means, in words, for the heading of its case list. Each
# describer gets the scope, the key and the programme/plan names of the page.
Describer = Callable[[Scope, str], str]


def _day_words(day: datetime.date) -> str:
    return date_format(day, "j F Y")


def _month_words(scope: Scope, key: str) -> str:
    month = _month(key) if key else None
    if month is None:
        return _("in the period")
    return _("in %(month)s") % {"month": date_format(month[0], "F Y")}


def _choice(choices: type, value: str) -> str:
    return str(dict(choices.choices).get(value, value))


def _describe_occupancy(scope: Scope, key: str) -> str:
    day_text, _sep, group = key.partition(":")
    try:
        day = datetime.date.fromisoformat(day_text)
    except ValueError:
        return _("In the KV")
    words = {"participants": _("participants"), "others": _("non-participants")}
    text = _("In the KV on %(day)s") % {"day": _day_words(day)}
    return f"{text} ({words[group]})" if group in words else text


def _describe_stage(scope: Scope, key: str) -> str:
    code, _sep, passed = key.partition(":")
    name = (
        IntakeStageDefinition.objects.filter(
            process__site_id__in=scope.site_ids, code=code
        )
        .order_by("-process__valid_from")
        .values_list("name", flat=True)
        .first()
    ) or code
    if passed == "passed":
        return _("Intake cases that passed the stage %(stage)s") % {"stage": name}
    return _("Intake cases that reached the stage %(stage)s") % {"stage": name}


def _describe_stage_kind(scope: Scope, key: str) -> str:
    kind, _sep, passed = key.partition(":")
    label = _choice(StageKind, kind)
    if passed == "passed":
        return _("Intake cases that passed a stage of the kind %(kind)s") % {
            "kind": label
        }
    return _("Intake cases that reached a stage of the kind %(kind)s") % {"kind": label}


def _describe_intake(scope: Scope, key: str) -> str:
    if not key:
        return _("Intake cases opened in the period")
    return _("Intake cases opened in the period, ended as: %(outcome)s") % {
        "outcome": _choice(IntakeOutcome, key)
    }


def _describe_length(scope: Scope, key: str) -> str:
    if key == flow.WHOLE_STAY:
        return _("Stays that ended in the period (whole stay)")
    name = (
        StayPhase.objects.filter(stay__site_id__in=scope.site_ids, phase__code=key)
        .values_list("phase__name", flat=True)
        .first()
    ) or _("without phase")
    return _("Stays that left the phase %(phase)s in the period") % {"phase": name}


def _describe_exit(scope: Scope, key: str) -> str:
    if key == flow.TEMPORARY_RETURN:
        return _("Temporary returns to the PI in the period")
    return _("Outflow in the period: %(type)s") % {"type": _choice(OutflowType, key)}


def _describe_b7(scope: Scope, key: str, names: dict[str, str]) -> str:
    code, _sep, part = key.partition(":")
    for table in b7.b7_definition():
        for section in table["sections"]:
            for row in section["rows"]:
                if row["code"] == code:
                    label = row["label"] % names
                    if part == "n":
                        return _("Bijlage 7: the N of %(row)s") % {"row": label}
                    return _("Bijlage 7: %(row)s") % {"row": label}
    return _("Bijlage 7")


def _describe_completeness(scope: Scope, key: str) -> str:
    moment, _sep, status = key.partition(":")
    label = _choice(Moment, moment)
    if status in MeasurementStatus.values:
        return _("Measurements %(moment)s due in the period, status %(status)s") % {
            "moment": label,
            "status": _choice(MeasurementStatus, status),
        }
    if status:
        return _(
            "Measurements %(moment)s due in the period with answers missing: %(reason)s"
        ) % {"moment": label, "reason": _choice(MissingReason, status)}
    return _("Measurements %(moment)s due in the period") % {"moment": label}


def _describe_factor(scope: Scope, key: str) -> str:
    code, _sep, moment = key.partition(":")
    return _("Protective factor %(factor)s answered at the %(moment)s") % {
        "factor": factor_name(code),
        "moment": _choice(Moment, moment),
    }


def describe(scope: Scope, metric: str, key: str, names: dict[str, str]) -> str:
    """The heading of a case list: what the number counted, in words."""
    simple: dict[str, Describer] = {
        "inflow_participants": lambda s, k: (
            _("Participants placed %(when)s") % {"when": _month_words(s, k)}
        ),
        "inflow_others": lambda s, k: (
            _("Non-participants placed %(when)s") % {"when": _month_words(s, k)}
        ),
        "inflow": lambda s, k: (
            _("Placed in the KV %(when)s") % {"when": _month_words(s, k)}
        ),
        "due": lambda s, k: _(
            "Measurements due in the period, not yet complete or cancelled"
        ),
        "outflow": lambda s, k: _("Outflow %(when)s") % {"when": _month_words(s, k)},
        "occupancy": _describe_occupancy,
        "exit": _describe_exit,
        "length": _describe_length,
        "intake": _describe_intake,
        "stage": _describe_stage,
        "stage_kind": _describe_stage_kind,
        "end_reason": lambda s, k: (
            _("Intake cases ended with the reason %(reason)s")
            % {"reason": _choice(EndReasonCode, k)}
        ),
        "completeness": _describe_completeness,
        "factor": _describe_factor,
        "jobs": lambda s, k: _("Jobs during a stay in the period"),
        "work_rule_breach": lambda s, k: (
            _("Jobs in the period against the work rule: %(rule)s")
            % {"rule": _choice(WorkRuleKind, k)}
            if k
            else _("Jobs in the period against the site's work rules")
        ),
    }
    if metric == "b7":
        return _describe_b7(scope, key, names)
    describer = simple.get(metric)
    return describer(scope, key) if describer else ""

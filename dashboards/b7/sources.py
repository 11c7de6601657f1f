"""How a row is counted and what a section's N is: a small registry keyed
by the row's ``source`` and the section's ``population``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dashboards.b7.registered import Registered
from evaluation.models import MissingReason


def _union(groups: dict[str, set[int]], keys: list[str]) -> set[int]:
    return set().union(*(groups.get(key, set()) for key in keys))


def _incident(data: Registered, row: dict[str, Any]) -> set[int]:
    return _union(data.incidents, row["kinds"])


def _no_incident(data: Registered, row: dict[str, Any]) -> set[int]:
    return data.stay_ids - _incident(data, row)


def _indicator(data: Registered, row: dict[str, Any]) -> set[int]:
    return {stay for stay, _var, value, _reason in data.answers(row) if value is True}


def _indicator_all(data: Registered, row: dict[str, Any]) -> set[int]:
    may_not_apply = set(row.get("may_not_apply", ()))
    met: dict[int, set[str]] = {}
    for stay, var, value, reason in data.answers(row):
        not_applicable = reason == MissingReason.NOT_APPLICABLE and var in may_not_apply
        if value is True or not_applicable:
            met.setdefault(stay, set()).add(var)
    return {stay for stay, found in met.items() if found >= set(row["vars"])}


def _indicator_missing(data: Registered, row: dict[str, Any]) -> set[int]:
    return {
        stay
        for stay, _var, _value, reason in data.answers(row)
        if reason in row["reasons"]
    }


def _job_search(data: Registered, row: dict[str, Any]) -> set[int]:
    return _union(data.job_search_used, row["kinds"])


def _employment(data: Registered, row: dict[str, Any]) -> set[int]:
    return _union(data.jobs_found, row["pay_kinds"])


def _plan(data: Registered, row: dict[str, Any]) -> set[int]:
    return {stay for stay, plan in data.plans.items() if plan.get(row["field"]) is True}


def _partner_role(data: Registered, row: dict[str, Any]) -> set[int]:
    return _union(data.partner_roles, row["roles"])


def _plan_activity_partner(data: Registered, row: dict[str, Any]) -> set[int]:
    excluded = set(row.get("exclude_kinds", ()))
    return _union(
        data.activity_partner_kinds,
        [kind for kind in data.activity_partner_kinds if kind not in excluded],
    )


#: The population (and so the N) of a section, keyed by its ``population``.
POPULATIONS: dict[str, Callable[[Registered], set[int]]] = {
    "participants": lambda data: set(data.stay_ids),
    "with_plan": lambda data: set(data.plans) & data.stay_ids,
}

#: How the "Aantal" of a row is counted, keyed by the row's ``source``.
SOURCES: dict[str, Callable[[Registered, dict[str, Any]], set[int]]] = {
    "incident": _incident,
    "no_incident": _no_incident,
    "indicator": _indicator,
    "indicator_all": _indicator_all,
    "indicator_missing": _indicator_missing,
    "job_search": _job_search,
    "employment": _employment,
    "plan": _plan,
    "partner_role": _partner_role,
    "plan_activity_partner": _plan_activity_partner,
}

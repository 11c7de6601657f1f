"""Bijlage 7 (tables B7.1-B7.3) computed from registered data for any site.

The rows are data (``b7.yaml``); how a row is counted is a small registry of
source kinds, so a new row is a line in the file, not code.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dashboards.scope import Scope
from evaluation.models import Answer, Item, MissingReason
from trajectories.models import Employment, Incident, JobOrigin, JobSearchActivity, Stay

B7_FILE = Path(__file__).resolve().parent / "b7.yaml"


@cache
def b7_definition() -> list[dict[str, Any]]:
    with B7_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)["tables"]


@dataclass
class Participant:
    stay_id: int
    person_id: int
    age: int
    days: int


@dataclass
class B7Row:
    code: str
    label: str
    values: list[Any]
    stay_ids: set[int] = field(default_factory=set)
    linked: bool = True
    #: the row's catalogue items are not in the catalogue of any site in scope
    not_registered: bool = False


@dataclass
class B7Section:
    columns: list[str]
    rows: list[B7Row]


@dataclass
class B7Table:
    code: str
    title: str
    sections: list[B7Section]


@dataclass
class B7Result:
    tables: list[B7Table]
    participants: list[Participant]

    def row(self, code: str) -> B7Row | None:
        for table in self.tables:
            for section in table.sections:
                for row in section.rows:
                    if row.code == code:
                        return row
        return None

    @property
    def stay_ids(self) -> set[int]:
        return {p.stay_id for p in self.participants}

    @property
    def has_unregistered_rows(self) -> bool:
        return any(
            row.not_registered
            for table in self.tables
            for section in table.sections
            for row in section.rows
        )


def participant_stays(scope: Scope) -> QuerySet[Stay]:
    """Participants (not regular detainees on KV places) in the KV in the period."""
    period = scope.period
    return (
        Stay.objects.filter(
            site_id__in=scope.site_ids, participant=True, placed_on__lte=period.end
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=period.start))
        .order_by()
    )


def _participants(scope: Scope) -> list[Participant]:
    end = scope.period.end
    found = []
    for stay_id, person_id, born, placed, ended in participant_stays(scope).values_list(
        "pk", "person_id", "person__date_of_birth", "placed_on", "ended_on"
    ):
        age = (
            placed.year
            - born.year
            - ((placed.month, placed.day) < (born.month, born.day))
        )
        last = ended if ended and ended <= end else end
        found.append(Participant(stay_id, person_id, age, (last - placed).days))
    return found


def _decode(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _row_vars() -> set[str]:
    return {
        var
        for table in b7_definition()
        for section in table["sections"]
        for row in section["rows"]
        for var in row.get("vars", ())
    }


class Registered:
    """What the rows count, read once for all rows: one query per kind of
    registration (items, answers, incidents, job search, jobs), however many
    rows use it."""

    def __init__(self, scope: Scope, stays: QuerySet[Stay], stay_ids: set[int]):
        self.scope = scope
        self.stays = stays
        self.stay_ids = stay_ids

    @cached_property
    def items(self) -> dict[int, str]:
        # Item ids first: most sites' catalogues lack the rows' variables, and
        # a join from answers to items by name would scan every answer.
        return dict(
            Item.objects.filter(
                var__in=_row_vars(), catalogue__site_id__in=self.scope.site_ids
            ).values_list("pk", "var")
        )

    @property
    def asked_vars(self) -> set[str]:
        return set(self.items.values())

    @cached_property
    def latest_answers(self) -> dict[str, list[tuple[int, Any, str]]]:
        """Per variable (stay, value, missing reason) of each stay's latest
        measurement: a row describes the stay as it ended up, so an earlier
        "yes" does not count."""
        if not self.items:
            return {}
        latest: dict[tuple[int, str], tuple[int, Any, str]] = {}
        for stay, item, value, reason in (
            Answer.objects.filter(
                item_id__in=list(self.items), measurement__stay__in=self.stays
            )
            .order_by("measurement__due_on", "measurement__pk")
            .values_list("measurement__stay_id", "item_id", "value", "missing_reason")
        ):
            latest[(stay, self.items[item])] = (stay, _decode(value), reason)
        found: dict[str, list[tuple[int, Any, str]]] = {}
        for (_stay, var), entry in latest.items():
            found.setdefault(var, []).append(entry)
        return found

    def answers(self, row: dict[str, Any]) -> list[tuple[int, str, Any, str]]:
        return [
            (stay, var, value, reason)
            for var in row["vars"]
            for stay, value, reason in self.latest_answers.get(var, [])
        ]

    @staticmethod
    def _grouped(rows: Any) -> dict[str, set[int]]:
        found: dict[str, set[int]] = {}
        for key, stay in rows:
            found.setdefault(key, set()).add(stay)
        return found

    @cached_property
    def incidents(self) -> dict[str, set[int]]:
        return self._grouped(
            Incident.objects.filter(stay__in=self.stays)
            .order_by()
            .values_list("kind", "stay_id")
            .distinct()
        )

    @cached_property
    def job_search_used(self) -> dict[str, set[int]]:
        return self._grouped(
            JobSearchActivity.objects.filter(stay__in=self.stays, used=True)
            .order_by()
            .values_list("kind", "stay_id")
            .distinct()
        )

    @cached_property
    def jobs_found(self) -> dict[str, set[int]]:
        return self._grouped(
            Employment.objects.filter(stay__in=self.stays, origin=JobOrigin.FOUND)
            .order_by()
            .values_list("pay_kind", "stay_id")
            .distinct()
        )


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


#: How the "Aantal" of a row is counted, keyed by the row's ``source``.
SOURCES: dict[str, Callable[[Registered, dict[str, Any]], set[int]]] = {
    "incident": _incident,
    "no_incident": _no_incident,
    "indicator": _indicator,
    "indicator_all": _indicator_all,
    "indicator_missing": _indicator_missing,
    "job_search": _job_search,
    "employment": _employment,
}


def duration_phrase(days: int) -> str:
    """Days as the report words them: whole months of 30 days ("304 dagen:
    circa 10 maanden", "882 dagen: 2 jaar en circa 5 maanden")."""
    years, rest = divmod(days // 30, 12)
    if not years:
        return ngettext("about %(months)s month", "about %(months)s months", rest) % {
            "months": rest
        }
    if not rest:
        return ngettext("%(years)s year", "%(years)s years", years) % {"years": years}
    return _("%(years)s years and about %(months)s months") % {
        "years": years,
        "months": rest,
    }


def _stat(values: list[int], stat: str) -> float | int | None:
    if not values:
        return None
    if stat == "mean":
        return round(statistics.mean(values))
    return min(values) if stat == "min" else max(values)


def b7_tables(scope: Scope, *, programme: str, plan: str) -> B7Result:
    """Tables B7.1-B7.3 for the participants of ``scope``.

    Ages are at placement; the length of participation runs to the outflow,
    or to the end of the period for people still in the KV.
    """
    names = {"programme": programme, "plan": plan}
    participants = _participants(scope)
    stays = participant_stays(scope)
    n = len(participants)
    everyone = {p.stay_id for p in participants}
    counted: dict[str, set[int]] = {}
    registered = Registered(scope, stays, everyone)
    tables = []
    for table in b7_definition():
        sections = []
        for section in table["sections"]:
            rows = []
            for row in section["rows"]:
                label = row["label"] % names
                source = row["source"]
                if source in ("age", "duration"):
                    values = [
                        p.age if source == "age" else p.days for p in participants
                    ]
                    value = _stat(values, row["stat"])
                    if source == "age":
                        cells = [value, n]
                    else:
                        phrase = duration_phrase(value) if value is not None else ""
                        cells = [value, phrase]
                    rows.append(
                        B7Row(row["code"], label, cells, everyone, linked=False)
                    )
                    continue
                if row.get("vars") and not registered.asked_vars & set(row["vars"]):
                    rows.append(
                        B7Row(
                            row["code"],
                            label,
                            [None, n],
                            linked=False,
                            not_registered=True,
                        )
                    )
                    continue
                ids = SOURCES[source](registered, row) & everyone if n else set()
                for other in row.get("exclude", []):
                    ids -= counted.get(other, set())
                counted[row["code"]] = ids
                rows.append(B7Row(row["code"], label, [len(ids), n], ids))
            sections.append(
                B7Section(
                    [column % names for column in section["columns"]],
                    rows,
                )
            )
        tables.append(B7Table(table["code"], table["title"] % names, sections))
    return B7Result(tables, participants)

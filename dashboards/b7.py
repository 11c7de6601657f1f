"""Bijlage 7 (tables B7.1-B7.3 and the counts in the text of B7.2 and
B7.3.1) computed from registered data for any site.

The rows are data (``fixtures/reference/b7.yaml``); how a row is counted is a
small registry of source kinds, so a new row is a line in the file, not code.
Every row has one source, described in its ``bron``; every number opens the
people behind it (the count, and the N of its section).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dashboards.scope import Scope
from evaluation.models import MOMENT_ORDER, TAKEN, Answer, Item, MissingReason
from partners.models import CaseRole
from trajectories.models import (
    Activity,
    Employment,
    Incident,
    IndividualPlan,
    JobOrigin,
    JobSearchActivity,
    Stay,
)

B7_FILE = Path(settings.BASE_DIR) / "fixtures" / "reference" / "b7.yaml"


@cache
def b7_definition() -> list[dict[str, Any]]:
    with B7_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)["tables"]


@dataclass
class Participants:
    """The participants' stays, one list per field.

    Columns rather than an object per person: at national scale there are
    about 11,000, and objects that live through the whole request are traced
    by every garbage collection until one of them runs over the whole heap.
    """

    stay_ids: list[int] = field(default_factory=list)
    person_ids: list[int] = field(default_factory=list)
    #: age at placement
    ages: list[int] = field(default_factory=list)
    #: days in the KV up to the outflow or the end of the period
    days: list[int] = field(default_factory=list)
    placed_on: list[datetime.date] = field(default_factory=list)
    ended_on: list[datetime.date | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.stay_ids)


@dataclass
class B7Row:
    code: str
    label: str
    values: list[Any]
    stay_ids: set[int] = field(default_factory=set)
    #: the people the row is about (its section's population: its N)
    population_ids: set[int] = field(default_factory=set)
    #: per value, the ``key`` of the case list behind it (None: no list)
    links: list[str | None] = field(default_factory=list)
    #: the row's catalogue items are not in the catalogue of any site in scope
    not_registered: bool = False
    #: where the figure comes from, in words (the row's ``bron``)
    source_note: str = ""
    #: the first value is a statistic over the people behind it (a mean or
    #: median age or length of stay), not a count of them
    statistic: bool = False

    @property
    def cells(self) -> list[tuple[Any, str | None]]:
        links = self.links or [None] * len(self.values)
        return list(zip(self.values, links, strict=False))

    @property
    def linked(self) -> bool:
        return bool(self.links and self.links[0])


@dataclass
class B7Section:
    columns: list[str]
    rows: list[B7Row]
    note: str = ""


@dataclass
class B7Table:
    code: str
    title: str
    sections: list[B7Section]


@dataclass
class B7Result:
    tables: list[B7Table]
    participants: Participants

    def row(self, code: str) -> B7Row | None:
        for table in self.tables:
            for section in table.sections:
                for row in section.rows:
                    if row.code == code:
                        return row
        return None

    def people(self, key: str) -> set[int]:
        """Stays behind a linked number: ``<row>`` its count, ``<row>:n`` its N."""
        code, _sep, part = key.partition(":")
        row = self.row(code)
        if row is None:
            return set()
        return row.population_ids if part == "n" else row.stay_ids

    @property
    def stay_ids(self) -> set[int]:
        return set(self.participants.stay_ids)

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


def _participants(scope: Scope) -> Participants:
    end = scope.period.end
    found = Participants()
    for stay_id, person_id, born, placed, ended in participant_stays(scope).values_list(
        "pk", "person_id", "person__date_of_birth", "placed_on", "ended_on"
    ):
        found.stay_ids.append(stay_id)
        found.person_ids.append(person_id)
        found.ages.append(
            placed.year
            - born.year
            - ((placed.month, placed.day) < (born.month, born.day))
        )
        found.days.append(((ended if ended and ended <= end else end) - placed).days)
        found.placed_on.append(placed)
        found.ended_on.append(ended)
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

    def __init__(
        self,
        scope: Scope,
        stays: QuerySet[Stay],
        participants: Participants,
    ):
        self.scope = scope
        self.stays = stays
        #: the rows of ``stays``, read once
        self.participants = participants
        self.stay_ids = set(participants.stay_ids)

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
        measurement that was taken: a row describes the stay as it ended up,
        so an earlier "yes" does not count. Latest means last in the schedule
        (nulmeting, tussenmeting 1, 2, ..., eindmeting, namentingen), the
        same on every database; cancelled and never-taken measurements hold
        nothing."""
        if not self.items:
            return {}
        latest: dict[tuple[int, str], tuple[tuple[int, int], Any, str]] = {}
        for stay, item, value, reason, moment, sequence in (
            Answer.objects.filter(
                item_id__in=list(self.items),
                measurement__stay__in=self.stays,
                measurement__status__in=TAKEN,
            )
            .order_by()
            .values_list(
                "measurement__stay_id",
                "item_id",
                "value",
                "missing_reason",
                "measurement__moment",
                "measurement__sequence",
            )
        ):
            key = (stay, self.items[item])
            rank = (MOMENT_ORDER.get(moment, len(MOMENT_ORDER)), sequence)
            if key not in latest or rank >= latest[key][0]:
                latest[key] = (rank, _decode(value), reason)
        found: dict[str, list[tuple[int, Any, str]]] = {}
        for (stay, var), (_rank, value, reason) in latest.items():
            found.setdefault(var, []).append((stay, value, reason))
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
            group = found.get(key)
            if group is None:
                group = found[key] = set()
            group.add(stay)
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
    def plans(self) -> dict[int, dict[str, Any]]:
        """Per stay with an individual plan: its registered fields."""
        return {
            row["stay_id"]: row
            for row in IndividualPlan.objects.filter(stay__in=self.stays)
            .order_by()
            .values("stay_id", "written_by_detainee")
        }

    @cached_property
    def partner_roles(self) -> dict[str, set[int]]:
        """Per kind of role, the stays during which someone held it."""
        found: dict[str, set[int]] = {}
        end = self.scope.period.end
        read = self.participants
        stays = {
            stay: (person, placed, ended or end)
            for stay, person, placed, ended in zip(
                read.stay_ids,
                read.person_ids,
                read.placed_on,
                read.ended_on,
                strict=True,
            )
        }
        people = {person for person, _placed, _ended in stays.values()}
        by_person: dict[int, list[tuple[str, Any, Any]]] = {}
        for person, role, started, ended in (
            CaseRole.objects.filter(person_id__in=people)
            .order_by()
            .values_list("person_id", "role", "started_on", "ended_on")
        ):
            by_person.setdefault(person, []).append((role, started, ended))
        for stay, (person, placed, last) in stays.items():
            for role, started, ended in by_person.get(person, []):
                if started <= last and (ended is None or ended >= placed):
                    found.setdefault(role, set()).add(stay)
        return found

    @cached_property
    def activity_partner_kinds(self) -> dict[str, set[int]]:
        """Per kind of organisation, the stays whose plan has an activity that
        partner is responsible for."""
        return self._grouped(
            Activity.objects.filter(
                goal__plan__stay__in=self.stays,
                responsible_organisation__isnull=False,
            )
            .order_by()
            .values_list("responsible_organisation__kind", "goal__plan__stay_id")
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
        # int / int is correctly rounded: the float statistics.mean gives,
        # without its exact fractions (a noticeable cost at 11,000 people)
        return round(sum(values) / len(values))
    return min(values) if stat == "min" else max(values)


def b7_tables(scope: Scope, *, programme: str, plan: str) -> B7Result:
    """Tables B7.1-B7.3 and the text counts for the participants of ``scope``.

    Ages are at placement; the length of participation runs to the outflow,
    or to the end of the period for people still in the KV.
    """
    names = {"programme": programme, "plan": plan}
    participants = _participants(scope)
    stays = participant_stays(scope)
    counted: dict[str, set[int]] = {}
    registered = Registered(scope, stays, participants)
    tables = []
    for table in b7_definition():
        sections = []
        for section in table["sections"]:
            population = POPULATIONS[section.get("population", "participants")](
                registered
            )
            # ages or days of the population, listed once for all its rows
            # (most sections have none of those rows)
            measured: dict[str, list[int]] = {}
            n = len(population)
            rows = []
            for row in section["rows"]:
                label = row["label"] % names
                source = row["source"]
                code = row["code"]
                common = {
                    "population_ids": population,
                    "source_note": row.get("bron", ""),
                }
                if source in ("age", "duration"):
                    if source not in measured:
                        values = (
                            participants.ages if source == "age" else participants.days
                        )
                        measured[source] = [
                            value
                            for stay, value in zip(
                                participants.stay_ids, values, strict=True
                            )
                            if stay in population
                        ]
                    value = _stat(measured[source], row["stat"])
                    if source == "age":
                        cells = [value, n]
                        links = [f"{code}:n", f"{code}:n"]
                    else:
                        phrase = duration_phrase(value) if value is not None else ""
                        cells = [value, phrase]
                        links = [f"{code}:n", None]
                    rows.append(
                        B7Row(
                            code,
                            label,
                            cells,
                            population,
                            links=links,
                            statistic=True,
                            **common,
                        )
                    )
                    continue
                if row.get("vars") and not registered.asked_vars & set(row["vars"]):
                    rows.append(
                        B7Row(
                            code,
                            label,
                            [None, n],
                            links=[None, f"{code}:n"],
                            not_registered=True,
                            **common,
                        )
                    )
                    continue
                ids = SOURCES[source](registered, row) & population if n else set()
                for other in row.get("exclude", []):
                    ids -= counted.get(other, set())
                counted[code] = ids
                rows.append(
                    B7Row(
                        code,
                        label,
                        [len(ids), n],
                        ids,
                        links=[code, f"{code}:n"],
                        **common,
                    )
                )
            sections.append(
                B7Section(
                    [column % names for column in section["columns"]],
                    rows,
                    note=section.get("note", "") % names,
                )
            )
        tables.append(B7Table(table["code"], table["title"] % names, sections))
    return B7Result(tables, participants)

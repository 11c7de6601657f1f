"""Bijlage 7 computed for a scope: every table, row and count."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dashboards.b7.definition import b7_definition
from dashboards.b7.registered import Registered, _participants, participant_stays
from dashboards.b7.results import B7Result, B7Row, B7Section, B7Table
from dashboards.b7.sources import POPULATIONS, SOURCES
from dashboards.scope import Scope


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

"""What Bijlage 7 computes: participants, rows, sections, tables."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace
from typing import Any


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
    #: how many participants; kept by ``without_people``
    participant_count: int | None = None

    def __post_init__(self) -> None:
        if self.participant_count is None:
            self.participant_count = len(self.participants)

    def without_people(self) -> B7Result:
        """The tables as a page shows them: every number and label, but not
        the stays and people behind them (a case list finds those itself),
        so the result can be stored without personal data."""
        return B7Result(
            [
                B7Table(
                    table.code,
                    table.title,
                    [
                        B7Section(
                            section.columns,
                            [
                                replace(row, stay_ids=set(), population_ids=set())
                                for row in section.rows
                            ],
                            section.note,
                        )
                        for section in table.sections
                    ],
                )
                for table in self.tables
            ],
            Participants(),
            participant_count=self.participant_count,
        )

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

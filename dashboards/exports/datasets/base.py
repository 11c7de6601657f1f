"""What every sheet shares: the filters, the sheet, record codes, date
shifting, the stays in scope and the key columns.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import hmac
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from core.models import Gender
from core.periods import Period
from dashboards.exports.codebook import (
    INTEGER,
    Column,
    code_of,
    coded,
)
from trajectories.models import (
    Stay,
)

CHUNK = 2000
MAX_SHIFT_DAYS = 180


@dataclass(frozen=True)
class ExportFilters:
    site_ids: tuple[int, ...]
    period: Period
    moments: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    date_shift: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "site_ids": list(self.site_ids),
            "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(),
            "moments": list(self.moments),
            "topics": list(self.topics),
            "date_shift": self.date_shift,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExportFilters:
        return cls(
            site_ids=tuple(data["site_ids"]),
            period=Period(
                datetime.date.fromisoformat(data["start"]),
                datetime.date.fromisoformat(data["end"]),
            ),
            moments=tuple(data.get("moments", ())),
            topics=tuple(data.get("topics", ())),
            date_shift=bool(data.get("date_shift")),
        )


@dataclass(frozen=True)
class ExportAbout:
    """Who made the export, when and how: the "over dit bestand" sheet."""

    number: int | None = None
    created_at: datetime.datetime | None = None
    role: str = ""
    format: str = ""


@dataclass
class Sheet:
    name: str
    columns: list[Column]
    rows: Iterator[list[Any]] = field(default_factory=lambda: iter(()))
    description: str = ""


def date_shift_for(pseudonym: str, enabled: bool) -> datetime.timedelta:
    """The same shift for every date of one person, never zero.

    Derived from the pseudonym with a keyed hash, so it is stable between
    exports (analyses can be linked) but cannot be recomputed outside.
    """
    if not enabled:
        return datetime.timedelta(0)
    digest = hmac.new(
        settings.SECRET_KEY.encode(), pseudonym.encode(), hashlib.sha256
    ).digest()
    days = int.from_bytes(digest[:4], "big") % (2 * MAX_SHIFT_DAYS) - MAX_SHIFT_DAYS
    return datetime.timedelta(days=days + 1 if days >= 0 else days)


#: the letter each kind of keyed record starts with (README: export codes)
RECORD_PREFIXES = {"stay": "S", "case": "I", "goal": "G"}


@functools.lru_cache(maxsize=65536)
def record_code(kind: str, pk: int) -> str:
    """A stay's, intake case's or goal's number in an export: stable between
    exports (so sheets and exports can be linked) but, unlike the database id
    in the application's addresses, not traceable to a record without the
    key. Stays start with S, intake cases with I, goals with G."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{kind}:{pk}".encode(), hashlib.sha256
    ).hexdigest()
    return f"{RECORD_PREFIXES[kind]}{digest[:12]}"


def shift(day: datetime.date | None, by: datetime.timedelta) -> datetime.date | None:
    """``day`` moved by the person's shift; None when it cannot be moved."""
    if day is None:
        return None
    try:
        return day + by
    except OverflowError:
        return None


def stays_for(filters: ExportFilters) -> QuerySet[Stay]:
    period = filters.period
    return (
        Stay.objects.filter(site_id__in=filters.site_ids, placed_on__lte=period.end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=period.start))
        .order_by()
    )


STAY_CODE = Column("stay_code", "Verblijf (code S…, gelijk in elk blad en elke export)")
CASE_CODE = Column(
    "case_code", "Intakezaak (code I…, gelijk in elk blad en elke export)"
)
GOAL_CODE = Column("goal_code", "Doel (code G…, gelijk in elk blad en elke export)")
PSEUDONYM = Column("pseudonym", "Onderzoekspseudoniem")
SITE = Column("site", "KV (code; namen in het blad over_dit_bestand)")
PERSON_COLUMNS = [
    PSEUDONYM,
    SITE,
    Column("birth_year", "Geboortejaar", INTEGER, unit="jaartal"),
    coded("gender", "Geslacht", Gender),
]
PERSON_KEYS = ("person__pseudonym", "site__code")
GENDER = code_of(Gender)


STAY_KEYS = [PSEUDONYM, SITE, STAY_CODE]


def _per_stay(
    name: str,
    description: str,
    columns: list[Column],
    queryset: Callable[[QuerySet[Stay]], QuerySet],
    stay_field: str,
    fields: list[str],
    convert: Callable[[list[Any], datetime.timedelta], list[Any]],
) -> Callable[[ExportFilters], Sheet]:
    """A sheet of registrations of the exported stays, keyed like the others."""

    def build(filters: ExportFilters) -> Sheet:
        def rows() -> Iterator[list[Any]]:
            for pseudonym, site, stay, *values in (
                queryset(stays_for(filters))
                .order_by(stay_field, "pk")
                .values_list(
                    f"{stay_field.removesuffix('_id')}__person__pseudonym",
                    f"{stay_field.removesuffix('_id')}__site__code",
                    stay_field,
                    *fields,
                )
                .iterator(chunk_size=CHUNK)
            ):
                by = date_shift_for(pseudonym, filters.date_shift)
                yield [
                    pseudonym,
                    site,
                    record_code("stay", stay),
                    *convert(values, by),
                ]

        return Sheet(name, [*STAY_KEYS, *columns], rows(), description)

    build.__name__ = name
    return build

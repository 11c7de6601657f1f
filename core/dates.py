"""Dates typed into filters and query parameters.

Pages compute with the dates they are given (months, days, windows), so a
date near ``datetime.date.max`` would overflow; anything outside the range
below is treated as not given.
"""

from __future__ import annotations

import datetime

EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2199, 12, 31)


def in_range(day: datetime.date) -> bool:
    return EARLIEST_DATE <= day <= LATEST_DATE


def date_param(value: str | None, default: datetime.date) -> datetime.date:
    """The ISO date in ``value``; ``default`` if missing, malformed or out of range."""
    try:
        day = datetime.date.fromisoformat(value or "")
    except ValueError:
        return default
    return day if in_range(day) else default

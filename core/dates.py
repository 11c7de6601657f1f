"""Dates typed into filters and query parameters.

Pages compute with the dates they are given (months, days, windows), so a
date near ``datetime.date.max`` would overflow; anything outside the range
below is treated as not given.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

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


def day_text(day: datetime.date | None) -> str:
    """A date as people read it in every sentence, table and message: 7-3-2021.

    The same form as the templates' ``|date:"j-n-Y"``; never ISO inside Dutch
    text.
    """
    if day is None:
        return "-"
    if isinstance(day, datetime.datetime):
        day = day.date()
    return f"{day.day}-{day.month}-{day.year}"


def moment_text(moment: datetime.datetime) -> str:
    """A date and time in the local time zone: 7-3-2021 14:05."""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f"{day_text(local)} {local:%H:%M}"

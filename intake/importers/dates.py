"""A cell's value as text, and reading a date as lists write it: ISO,
day-month-year with any separator, Dutch or English month names,
two-digit years and Excel serial numbers.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.utils import timezone


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


EXCEL_EPOCH = datetime.date(1899, 12, 30)
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "januari", "january"),
            ("feb", "februari", "february"),
            ("mrt", "maart", "mar", "march"),
            ("apr", "april"),
            ("mei", "may"),
            ("jun", "juni", "june"),
            ("jul", "juli", "july"),
            ("aug", "augustus", "august"),
            ("sep", "sept", "september"),
            ("okt", "oktober", "oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_NUMERIC = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_NAMED = re.compile(r"^(\d{1,2})[-\s.]+([a-z]+)\.?[-\s.]+(\d{2}|\d{4})$")
_SERIAL = re.compile(r"^\d{1,7}(?:[.,]0+)?$")


def _year(text: str, today: datetime.date) -> int:
    """A four-digit year; a two-digit one is the latest that is at most ten
    years ahead (Excel's "jj")."""
    year = int(text)
    if len(text) == 2:
        year += 2000 if 2000 + year <= today.year + 10 else 1900
    return year


def parse_date(value: Any, today: datetime.date | None = None) -> datetime.date:
    """A date as Excel (also Dutch Excel) writes it, in a cell or in a CSV:
    a date cell, YYYY-MM-DD, D-M-YYYY (or with / or .), D-M-YY, 3 mrt 1985 or
    3-mrt-85, or an Excel date number such as 29221. Raises ValueError."""
    today = today or timezone.localdate()
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        return _serial(float(value))
    text = " ".join(_text(value).lower().split())
    if _SERIAL.match(text):
        return _serial(float(text.replace(",", ".")))
    if match := _ISO.match(text):
        year, month, day = (int(part) for part in match.groups())
        return datetime.date(year, month, day)
    if match := _NUMERIC.match(text):
        day, month, year = match.groups()
        return datetime.date(_year(year, today), int(month), int(day))
    if (match := _NAMED.match(text)) and match.group(2) in MONTHS:
        day, month, year = match.groups()
        return datetime.date(_year(year, today), MONTHS[month], int(day))
    raise ValueError(text)


def _serial(number: float) -> datetime.date:
    """An Excel date number (days since 30-12-1899, Excel's 1900 calendar)."""
    if not number.is_integer() or not 1 <= number <= 2958465:
        raise ValueError(number)
    return EXCEL_EPOCH + datetime.timedelta(days=int(number))

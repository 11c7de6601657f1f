"""One date policy for every date the application stores or computes with.

1. **Plausible range.** Every stored date lies between :data:`EARLIEST_DATE`
   and :data:`LATEST_DATE`. Model date fields are :class:`core.fields.FactDateField`
   or :class:`core.fields.PlannedDateField`; both carry the range as a validator
   (``full_clean``, model forms) and as a CHECK on the column, so no path
   around a form can store 0001-01-01 or 9999-12-31. Form date fields are
   :class:`PlausibleDateFormField`.
2. **Facts are not in the future.** A date of something that happened (an
   outflow, an incident, a stage reached, a document received) is a
   ``FactDateField``: not after today. A date that announces something (an
   expected end, a due date, a report date, a planned start) is a
   ``PlannedDateField`` and may lie ahead.
3. **Not before the record it belongs to.** A model's ``clean()`` refuses a
   date before its owner's start (a stage event before its case was opened,
   an incident outside its stay) with :func:`check_not_before` and
   :func:`check_not_after`.
4. **Computations never overflow.** Date arithmetic goes through
   :func:`add_days`, :func:`add_months` and :func:`shift_date`, which stay
   inside the range (or inside what ``datetime.date`` can hold), so even a
   stored value from before this policy cannot break a page.

Dates typed into filters and query parameters go through :func:`date_param`.
"""

from __future__ import annotations

import calendar
import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2199, 12, 31)

DATE_OUT_OF_RANGE = _("Choose a date between %(earliest)s and %(latest)s.")
DATE_IN_FUTURE = _(
    "This date lies in the future (today is %(today)s). Record it once it has happened."
)
END_BEFORE_START = _("This date cannot be before %(day)s.")
AFTER_END = _("This date cannot be after %(day)s.")

Errors = dict[str, ValidationError]


def in_range(day: datetime.date) -> bool:
    return EARLIEST_DATE <= day <= LATEST_DATE


def validate_plausible_date(value: datetime.date | None) -> None:
    """Refuse a date outside the plausible range (validator of every date field)."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date) and not in_range(value):
        raise ValidationError(
            DATE_OUT_OF_RANGE,
            code="date_out_of_range",
            params={"earliest": EARLIEST_DATE.year, "latest": LATEST_DATE.year},
        )


def validate_not_in_future(value: datetime.date | None) -> None:
    """Refuse a date after today (validator of every date of a fact)."""
    today = timezone.localdate()
    if isinstance(value, datetime.date) and value > today:
        raise ValidationError(
            DATE_IN_FUTURE, code="in_future", params={"today": day_text(today)}
        )


def check_not_in_future(
    errors: Errors, *, field: str, value: datetime.date | None
) -> None:
    """Add an error on ``field`` when ``value`` lies after today."""
    if field in errors:
        return
    try:
        validate_not_in_future(value)
    except ValidationError as error:
        errors[field] = error


def check_not_before(
    errors: Errors,
    *,
    field: str,
    value: datetime.date | None,
    start: datetime.date | None,
    message: object = END_BEFORE_START,
) -> None:
    """Add an error on ``field`` when ``value`` lies before ``start``
    (the start of the record it belongs to, or of its own period)."""
    if field in errors or value is None or start is None:
        return
    if value < start:
        errors[field] = ValidationError(
            message, code="before_start", params={"day": day_text(start)}
        )


def check_not_after(
    errors: Errors,
    *,
    field: str,
    value: datetime.date | None,
    end: datetime.date | None,
    message: object = AFTER_END,
) -> None:
    """Add an error on ``field`` when ``value`` lies after ``end``
    (the end of the record it belongs to)."""
    if field in errors or value is None or end is None:
        return
    if value > end:
        errors[field] = ValidationError(
            message, code="after_end", params={"day": day_text(end)}
        )


def raise_if(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def _clamp(
    day: datetime.date, earliest: datetime.date, latest: datetime.date
) -> datetime.date:
    return min(max(day, earliest), latest)


def add_days(
    day: datetime.date,
    days: int,
    *,
    earliest: datetime.date = EARLIEST_DATE,
    latest: datetime.date = LATEST_DATE,
) -> datetime.date:
    """``day`` plus ``days`` (may be negative), kept within [earliest, latest].

    Due dates, measurement windows and schedules use this: a term that would
    run past the end of the plausible range ends at it instead of raising
    OverflowError. A ``day`` already outside the range (stored before the
    policy) is treated as the nearest end of the range.
    """
    day = _clamp(day, earliest, latest)
    span = (latest - earliest).days
    days = max(-span, min(span, days))
    try:
        return _clamp(day + datetime.timedelta(days=days), earliest, latest)
    except OverflowError:
        return latest if days > 0 else earliest


def add_months(
    day: datetime.date,
    months: int,
    *,
    earliest: datetime.date = EARLIEST_DATE,
    latest: datetime.date = LATEST_DATE,
) -> datetime.date:
    """``day`` plus whole months (the 31st becomes the month's last day),
    kept within [earliest, latest]."""
    day = _clamp(day, earliest, latest)
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    if year < earliest.year:
        return earliest
    if year > latest.year:
        return latest
    moved = day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )
    return _clamp(moved, earliest, latest)


def shift_date(day: datetime.date, shift: datetime.timedelta) -> datetime.date:
    """``day`` moved by ``shift`` (the research export's date shift).

    Never raises: a shift past the first or last day ``datetime.date`` can
    hold ends there. Dates inside the plausible range shift exactly, so the
    intervals between one person's dates are kept.
    """
    try:
        return day + shift
    except OverflowError:
        return datetime.date.max if shift > datetime.timedelta(0) else datetime.date.min


def month_end(first: datetime.date) -> datetime.date:
    """The last day of ``first``'s month, for any month ``datetime.date`` holds."""
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def next_month(first: datetime.date) -> datetime.date | None:
    """The first day of the month after ``first``; None after December 9999."""
    if first.month == 12:
        return (
            None
            if first.year == datetime.MAXYEAR
            else first.replace(year=first.year + 1, month=1, day=1)
        )
    return first.replace(month=first.month + 1, day=1)


def date_param(value: str | None, default: datetime.date) -> datetime.date:
    """The ISO date in ``value``; ``default`` if missing, malformed or out of range."""
    try:
        day = datetime.date.fromisoformat(value or "")
    except (ValueError, TypeError):
        return default
    return day if in_range(day) else default


class PlausibleDateFormField(forms.DateField):
    """A form's date field: only dates within the plausible range.

    The browser's date picker gets the same bounds (``min``/``max``).
    """

    default_validators = [validate_plausible_date]

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        if getattr(widget, "input_type", "") == "date":
            attrs.setdefault("min", EARLIEST_DATE.isoformat())
            attrs.setdefault("max", LATEST_DATE.isoformat())
        return attrs


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

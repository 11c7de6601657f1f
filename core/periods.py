"""The one period filter of every page that counts: dashboards, case lists,
the intake funnel, exports and the home page.

The default period is the same everywhere (``Period.default``) and every page
says which period its numbers cover.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import (
    DATE_OUT_OF_RANGE,
    EARLIEST_DATE,
    LATEST_DATE,
    PlausibleDateFormField,
    in_range,
)

PERIOD_END_BEFORE_START = _("The end of the period lies before its start.")
PERIOD_TOO_LONG = _("Choose a period of at most %(years)s years.")
MAX_PERIOD_YEARS = 10


@dataclass(frozen=True)
class Period:
    """A closed range of days, both ends included."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def default(cls, today: datetime.date | None = None) -> Period:
        """The twelve whole months up to and including the current month."""
        today = today or timezone.localdate()
        start = datetime.date(today.year - 1, today.month, 1)
        start = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return cls(start=start, end=today)

    @property
    def is_default(self) -> bool:
        return self == Period.default()

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def query(self, **extra: Any) -> str:
        params = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        params.update({k: v for k, v in extra.items() if v not in (None, "")})
        return urlencode(params)

    def months(self) -> list[datetime.date]:
        """First days of the calendar months the period touches."""
        first = self.start.replace(day=1)
        found = []
        while first <= self.end:
            found.append(first)
            first = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return found


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class PeriodForm(forms.Form):
    start = PlausibleDateFormField(label=_("from"), widget=DateInput())
    end = PlausibleDateFormField(label=_("until"), widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        for name, day in (("start", start), ("end", end)):
            if day and not in_range(day):
                self.add_error(
                    name,
                    forms.ValidationError(
                        DATE_OUT_OF_RANGE,
                        code="range",
                        params={
                            "earliest": EARLIEST_DATE.year,
                            "latest": LATEST_DATE.year,
                        },
                    ),
                )
                return data
        if start and end:
            if end < start:
                raise forms.ValidationError(PERIOD_END_BEFORE_START, code="order")
            if (end - start).days > MAX_PERIOD_YEARS * 366:
                raise forms.ValidationError(
                    PERIOD_TOO_LONG, code="length", params={"years": MAX_PERIOD_YEARS}
                )
        return data


def period_from_request(data: Any) -> tuple[PeriodForm, Period]:
    """The period asked for, or the default one while the form has errors.

    An invalid period never breaks the page: the form shows its error and the
    panels show the default period.
    """
    default = Period.default()
    if not data.get("start") and not data.get("end"):
        initial = {"start": default.start, "end": default.end}
        return PeriodForm(initial=initial), default
    form = PeriodForm(data)
    if form.is_valid():
        return form, Period(form.cleaned_data["start"], form.cleaned_data["end"])
    return form, default

"""The period filter lives in ``core.periods``: every page that counts uses it."""

from __future__ import annotations

from core.periods import (
    MAX_PERIOD_YEARS,
    PERIOD_END_BEFORE_START,
    PERIOD_TOO_LONG,
    DateInput,
    Period,
    PeriodForm,
    period_from_request,
)

__all__ = [
    "MAX_PERIOD_YEARS",
    "PERIOD_END_BEFORE_START",
    "PERIOD_TOO_LONG",
    "DateInput",
    "Period",
    "PeriodForm",
    "period_from_request",
]

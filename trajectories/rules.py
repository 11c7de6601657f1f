"""The date rules of the case models are the one date policy of ``core.dates``;
these names stay importable from here for older code."""

from __future__ import annotations

from core.dates import (
    DATE_IN_FUTURE,
    END_BEFORE_START,
    Errors,
    check_not_after,
    check_not_before,
    check_not_in_future,
    raise_if,
)

__all__ = [
    "DATE_IN_FUTURE",
    "END_BEFORE_START",
    "Errors",
    "check_not_after",
    "check_not_before",
    "check_not_in_future",
    "raise_if",
]

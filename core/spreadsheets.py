"""Cells of the spreadsheets the application writes (the research exports in
``dashboards.exports``, the data-subject access document in
``core.subject_access``), made safe to open.

Text a spreadsheet program could run as a formula (CWE-1236, ASVS 1.2.10)
starts with one of ``FORMULA_STARTS``; such a cell gets a leading apostrophe,
which Excel and LibreOffice show as text and never evaluate. Numbers and
dates are written as what they are and stay untouched.
"""

from __future__ import annotations

from typing import Any

#: a text cell starting with one of these could be read as a formula
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """``text`` as a spreadsheet will show it but never evaluate it."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def cell_value(value: Any) -> Any:
    """``value`` as a spreadsheet cell: text neutralised, anything else as is."""
    return neutralise(value) if isinstance(value, str) else value

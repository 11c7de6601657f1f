"""Columns of the research export and how answer values are coded.

Every format (Excel, CSV, SPSS) carries the same codes, so one codebook
serves all of them. Missing answers carry a negative code per recorded
reason, declared as user-missing in SPSS.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from typing import Any

from core.dates import shift_date
from evaluation.models import SCALE5_CHOICES, AnswerType, MissingReason

#: numeric missing-data codes per recorded reason (a range in SPSS)
MISSING_CODES: dict[str, int] = {
    MissingReason.NOT_ASKED: -91,
    MissingReason.REFUSED: -92,
    MissingReason.UNKNOWN: -93,
    MissingReason.NOT_APPLICABLE: -94,
}
MISSING_LABELS = {code: str(reason) for reason, code in MISSING_CODES.items()}
#: codebook notes next to the missing-data codes
NO_ANSWER_NOTE = (
    "empty = no answer recorded (not asked at this moment, or not measured)"
)
SPSS_STRING_NOTE = (
    "SPSS: a string variable holds three user-missing values, so -94 is "
    "declared as a value there"
)

SCALE5_CODES = {
    value: 5 - index for index, (value, _label) in enumerate(SCALE5_CHOICES)
}

#: answer types whose values are free text; they may name people, so they
#: are never exported
FREE_TEXT_TYPES = {AnswerType.TEXT, AnswerType.GROUP}

NUMERIC_TYPES = {
    AnswerType.SCALE5,
    AnswerType.YES_NO,
    AnswerType.YES_NO_REASON,
    AnswerType.NUMBER,
    AnswerType.CHOICE,
}

CODEBOOK_HEADERS = [
    "sheet",
    "variable",
    "label",
    "topic",
    "category",
    "moment",
    "answer_type",
    "value_labels",
    "missing_codes",
    "catalogue_version",
]


@dataclass
class Column:
    """One exported column and its codebook entry."""

    name: str
    label: str
    answer_type: str = "text"
    topic: str = "registratie"
    category: str = ""
    moment: str = ""
    value_labels: dict[int, str] = field(default_factory=dict)
    catalogue_version: str = ""
    missing: bool = False

    @property
    def numeric(self) -> bool:
        return self.answer_type in NUMERIC_TYPES or self.answer_type in (
            "integer",
            "year",
        )

    def codebook_row(self, sheet: str) -> list[str]:
        labels = "; ".join(
            f"{code}={label}" for code, label in self.value_labels.items()
        )
        missing = ""
        if self.missing:
            missing = "; ".join(
                f"{code}={reason}" for code, reason in MISSING_LABELS.items()
            )
            missing += f"; {NO_ANSWER_NOTE}"
            if not self.numeric:
                missing += f"; {SPSS_STRING_NOTE}"
        return [
            sheet,
            self.name,
            self.label,
            self.topic,
            self.category,
            self.moment,
            self.answer_type,
            labels,
            missing,
            self.catalogue_version,
        ]


def value_labels_for(answer_type: str, choices: list[dict[str, str]]) -> dict[int, str]:
    if answer_type == AnswerType.SCALE5:
        return {SCALE5_CODES[value]: label for value, label in SCALE5_CHOICES}
    if answer_type in (AnswerType.YES_NO, AnswerType.YES_NO_REASON):
        return {1: "ja", 0: "nee"}
    if answer_type == AnswerType.CHOICE:
        return {index + 1: choice["label"] for index, choice in enumerate(choices)}
    return {}


def _decode(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def encode(
    answer_type: str,
    choices: list[dict[str, str]],
    value: Any,
    missing_reason: str,
    shift: datetime.timedelta,
) -> Any:
    """An answer as exported: a code, a number, a shifted date or text."""
    if missing_reason:
        return MISSING_CODES.get(missing_reason, MISSING_CODES[MissingReason.UNKNOWN])
    value = _decode(value)
    if value is None or value == "":
        return None
    if answer_type == AnswerType.SCALE5:
        return SCALE5_CODES.get(value)
    if answer_type in (AnswerType.YES_NO, AnswerType.YES_NO_REASON):
        return 1 if value is True else 0 if value is False else None
    if answer_type == AnswerType.NUMBER:
        try:
            return float(value)
        except (TypeError, ValueError):
            return None
    if answer_type == AnswerType.CHOICE:
        codes = [choice["code"] for choice in choices]
        return codes.index(value) + 1 if value in codes else None
    if answer_type == AnswerType.DATE:
        try:
            return shift_date(
                datetime.date.fromisoformat(str(value)), shift
            ).isoformat()
        except ValueError:
            return None
    if answer_type == AnswerType.MULTI_CHOICE and isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)

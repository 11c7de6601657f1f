"""Columns of the research export: type, Dutch label, unit, measurement level,
value labels and missing-value codes, the same in every format.

A column's ``kind`` says how a value is stored in every file:

- ``text``: a string (pseudonyms and keyed codes such as ``S…``);
- ``code``: a whole number with a Dutch value label per code (nominal);
- ``flag``: 0 = nee, 1 = ja (nominal);
- ``ordinal``: the five-point scale, 1 = zeer negatief ... 5 = zeer positief;
- ``integer`` / ``number``: a count or amount, with its unit (scale);
- ``date``: a real date (an Excel date cell, an SPSS DATE, a Stata %td).

Catalogue items carry the missing-data codes -91..-94 (declared user-missing
in SPSS; in Stata labelled values that one ``mvdecode`` line turns into
.a-.d). Date items cannot hold those
codes in a date variable, so the reason a date is missing is in a companion
column ``<name>_ontbr``. No string variable carries missing values at all:
that keeps every file free of the long-string missing-values record
(subtype 22) that ReadStat and GNU PSPP read differently (see writers.py).
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import translation

from evaluation.models import SCALE5_CHOICES, AnswerType, MissingReason

#: numeric missing-data codes per recorded reason
MISSING_CODES: dict[str, int] = {
    MissingReason.NOT_ASKED: -91,
    MissingReason.REFUSED: -92,
    MissingReason.UNKNOWN: -93,
    MissingReason.NOT_APPLICABLE: -94,
}
#: Dutch labels of the missing-data codes, as every file carries them
MISSING_LABELS: dict[int, str] = {
    -91: "niet gevraagd",
    -92: "geweigerd",
    -93: "onbekend",
    -94: "niet van toepassing",
}
NO_ANSWER_NOTE = "leeg = geen antwoord vastgelegd (niet gevraagd op dit moment)"
#: turns the codes into Stata's extended missing values .a-.d
STATA_MVDECODE = "mvdecode _all, mv(-91=.a \\ -92=.b \\ -93=.c \\ -94=.d)"

YES_NO_LABELS = {0: "nee", 1: "ja"}
SCALE5_CODES = {
    value: 5 - index for index, (value, _label) in enumerate(SCALE5_CHOICES)
}
SCALE5_LABELS = {SCALE5_CODES[value]: label for value, label in SCALE5_CHOICES}

#: answer types whose values are free text; they may name people, so they
#: are never exported
FREE_TEXT_TYPES = {AnswerType.TEXT, AnswerType.GROUP}

TEXT, CODE, FLAG, ORDINAL, INTEGER, NUMBER, DATE = (
    "text",
    "code",
    "flag",
    "ordinal",
    "integer",
    "number",
    "date",
)
NUMERIC_KINDS = {CODE, FLAG, ORDINAL, INTEGER, NUMBER}
MEASURE = {
    TEXT: "nominal",
    CODE: "nominal",
    FLAG: "nominal",
    ORDINAL: "ordinal",
    INTEGER: "scale",
    NUMBER: "scale",
    DATE: "scale",
}
KIND_WORDS = {
    TEXT: "tekst",
    CODE: "code (geheel getal met waardelabels)",
    FLAG: "0/1",
    ORDINAL: "ordinale schaal 1-5",
    INTEGER: "geheel getal",
    NUMBER: "getal",
    DATE: "datum",
}
MEASURE_WORDS = {"nominal": "nominaal", "ordinal": "ordinaal", "scale": "schaal"}

CODEBOOK_HEADERS = [
    "blad",
    "variabele",
    "naam_stata",
    "label",
    "eenheid",
    "type",
    "meetniveau",
    "waardelabels",
    "ontbrekende_waarden",
    "onderwerp",
    "categorie",
    "moment",
    "catalogusversie",
    "bron",
    "vastgelegd",
    "vastgelegd_in",
    "weg_naar_dataset",
]

#: Stata allows 32 characters, but pyreadstat names a variable's value-label
#: set after it with a counter appended (up to four digits in a wide sheet),
#: and such a name may not pass 32 either
STATA_NAME_LENGTH = 28


@dataclass
class Column:
    """One exported column and its codebook entry."""

    name: str
    label: str
    kind: str = TEXT
    unit: str = ""
    value_labels: dict[int, str] = field(default_factory=dict)
    #: a catalogue item: -91..-94 are its missing-data codes
    missing: bool = False
    topic: str = "registratie"
    category: str = ""
    moment: str = ""
    catalogue_version: str = ""
    source: str = "registratie"
    decimals: int = 0
    #: a catalogue item's place on the registration map (research question
    #: 3b): who holds it, where, and how it reaches the dataset
    held_by: str = ""
    held_in: str = ""
    route: str = ""

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS

    @property
    def measure(self) -> str:
        return MEASURE[self.kind]

    @property
    def full_label(self) -> str:
        """The variable label: the Dutch text, with its unit."""
        return f"{self.label} ({self.unit})" if self.unit else self.label

    @property
    def all_value_labels(self) -> dict[int, str]:
        """Value labels including those of the missing-data codes."""
        labels = dict(self.value_labels)
        if self.missing:
            labels.update(MISSING_LABELS)
        return labels

    @property
    def stata_name(self) -> str:
        return stata_name(self.name)

    def codebook_row(self, sheet: str) -> list[Any]:
        labels = pairs(self.value_labels)
        missing = ""
        if self.missing:
            missing = "gebruikersmissend: " + pairs(MISSING_LABELS).removeprefix(
                "codes: "
            )
            missing += f"; {NO_ANSWER_NOTE}"
        return [
            sheet,
            self.name,
            self.stata_name,
            self.label,
            self.unit,
            KIND_WORDS[self.kind],
            MEASURE_WORDS[self.measure],
            labels,
            missing,
            self.topic,
            self.category,
            self.moment,
            self.catalogue_version,
            self.source,
            self.held_by,
            self.held_in,
            self.route,
        ]


def pairs(labels: dict[int, str]) -> str:
    """Value labels as one codebook cell: "1 = ja; 0 = nee". A list that
    would start with a minus sign starts with "codes: " instead, so no
    spreadsheet reads it as a formula."""
    text = "; ".join(f"{code} = {label}" for code, label in labels.items())
    return f"codes: {text}" if text.startswith("-") else text


def stata_name(name: str) -> str:
    """A Stata variable name (at most 28 characters) for ``name``: the name
    itself when it fits, else its start and a short hash, stable between
    exports. The codebook lists both."""
    if len(name) <= STATA_NAME_LENGTH:
        return name
    digest = hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest()[:5]
    return f"{name[: STATA_NAME_LENGTH - 6]}_{digest}"


def dutch_labels(choices: type[models.TextChoices]) -> dict[int, str]:
    """Codes 1..n in the order of ``choices``, labelled in Dutch; a blank
    choice (such as "unknown") is no code: it is exported as empty."""
    with translation.override("nl"):
        return {
            index: str(label)
            for index, (value, label) in enumerate(
                [(v, lab) for v, lab in choices.choices if v != ""], start=1
            )
        }


def code_of(choices: type[models.TextChoices]) -> dict[str, int]:
    """The code of each stored value of ``choices`` (see ``dutch_labels``)."""
    return {
        value: index
        for index, value in enumerate([v for v in choices.values if v != ""], start=1)
    }


def coded(
    name: str, label: str, choices: type[models.TextChoices], **extra: Any
) -> Column:
    return Column(name, label, CODE, value_labels=dutch_labels(choices), **extra)


def flag(name: str, label: str, **extra: Any) -> Column:
    return Column(name, label, FLAG, value_labels=dict(YES_NO_LABELS), **extra)


def item_kind(answer_type: str, decimals: int = 0) -> str:
    return {
        AnswerType.SCALE5: ORDINAL,
        AnswerType.YES_NO: FLAG,
        AnswerType.YES_NO_REASON: FLAG,
        AnswerType.NUMBER: INTEGER if not decimals else NUMBER,
        AnswerType.CHOICE: CODE,
        AnswerType.DATE: DATE,
    }.get(answer_type, TEXT)


def value_labels_for(answer_type: str, choices: list[dict[str, str]]) -> dict[int, str]:
    if answer_type == AnswerType.SCALE5:
        return dict(sorted(SCALE5_LABELS.items()))
    if answer_type in (AnswerType.YES_NO, AnswerType.YES_NO_REASON):
        return dict(YES_NO_LABELS)
    if answer_type == AnswerType.CHOICE:
        return {index + 1: choice["label"] for index, choice in enumerate(choices)}
    return {}


#: how a JSON document can start; other strings are values already
JSON_STARTS = ('"', "{", "[", "t", "f", "n", "-", *"0123456789")


def _decode(value: Any) -> Any:
    """A stored value as Python: the database layer decodes JSON already,
    except for a value stored as a JSON text (older rows)."""
    if isinstance(value, str) and value.startswith(JSON_STARTS):
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
    decimals: int = 0,
) -> Any:
    """An answer as exported: a code, a number, a (shifted) date.

    A date item's missing reason is not encoded here (a date cannot hold
    it): see ``missing_code`` and the companion column.
    """
    if missing_reason:
        if answer_type == AnswerType.DATE:
            return None
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
            number = float(value)
        except (TypeError, ValueError):
            return None
        return round(number) if not decimals else round(number, decimals)
    if answer_type == AnswerType.CHOICE:
        codes = [choice["code"] for choice in choices]
        return codes.index(value) + 1 if value in codes else None
    if answer_type == AnswerType.DATE:
        try:
            return datetime.date.fromisoformat(str(value)) + shift
        except (ValueError, OverflowError):
            return None
    if answer_type == AnswerType.MULTI_CHOICE and isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def missing_code(missing_reason: str) -> int | None:
    if not missing_reason:
        return None
    return MISSING_CODES.get(missing_reason, MISSING_CODES[MissingReason.UNKNOWN])

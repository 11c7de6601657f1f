"""The rows of a list: its columns, every way a gender may be written, the
messages of the check and the apply, one row read (``ImportRow``) and the
result of a check (``ImportCheck``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from core.models import (
    GENDER_IMPORT_CODES,
    Gender,
)
from intake.importers.dates import _text

COLUMNS = [
    "dji_number",
    "last_name",
    "first_name",
    "date_of_birth",
    "gender",
    "municipality_of_origin",
    "report_date",
]
REQUIRED = {"last_name", "first_name", "date_of_birth", "gender"}
EXTENSIONS = {".csv", ".xlsx"}
#: rows between progress reports while checking
PROGRESS_EVERY = 500
#: rows per INSERT (SQLite takes fewer: Django keeps under its parameter limit)
BULK_BATCH_SIZE = 2000


def _gender_inputs() -> dict[str, str]:
    """Every way a gender may be written in a list: the one-letter code of
    the import template, the value and the Dutch and English label of the
    person form's choice. One set, the person form's."""
    from django.utils import translation

    accepted: dict[str, str] = {}
    for value, label in Gender.choices:
        accepted[GENDER_IMPORT_CODES[value].lower()] = value
        accepted[value.lower()] = value
        for language in ("nl", "en"):
            with translation.override(language):
                accepted[str(label).lower()] = value
    return accepted


NO_PROCESS_ON_LIST_DATE = _("%(site)s has no intake process on the list date %(day)s.")
SITE_NOT_RECEIVING_ON_LIST_DATE = _(
    "%(site)s takes no candidates on the list date %(day)s (status: %(status)s)."
)
ROUTE_NOT_ON_LIST_DATE = _(
    "The entry route %(route)s is not part of %(site)s's intake process on the "
    "list date."
)
NO_CRITERIA_ON_LIST_DATE = _(
    "%(site)s has no target-group criteria on the list date %(day)s."
)
ROW_REQUIRED = _("%(column)s is empty.")
ROW_BAD_DATE = _(
    "%(column)s %(value)s is not a date (use DD-MM-YYYY, YYYY-MM-DD or an Excel date)."
)
ROW_FIELD = _("%(column)s: %(message)s")
ROW_BAD_GENDER = _("gender %(value)s is not one of %(codes)s.")
ROW_DUPLICATE_IN_FILE = _("This person is also on row %(row)s of the file.")
ROW_REPORT_DATE_REQUIRED = _("report_date is required on a DIZ call-up list.")
ROW_SITE_CLOSED_ON_REPORT_DATE = _(
    "report_date %(day)s: %(site)s takes no candidates then (status: %(status)s)."
)
ROW_AMBIGUOUS = _("Matches more than one registered person; resolve by hand first.")
ROW_DJI_CONFLICT = _(
    "DJI number %(dji)s belongs to a registered person with another name or "
    "date of birth."
)
ROW_OTHER_DJI = _(
    "A registered person with this name and date of birth has DJI number "
    "%(dji)s; check which number is right."
)
ROW_CHANGED = _("changed since the check: %(change)s")
ALREADY_APPLIED = _("This list has already been imported.")
NOT_READY = _("This list cannot be imported: it has not been checked without errors.")
FILE_CHANGED = _("The file of this list is no longer kept; upload it again.")
CHANGED_SINCE_CHECK = _(
    "Nothing was imported: the records changed since the list was checked. "
    "%(rows)s The preview now shows the current state; check it and confirm again."
)
CHANGED_ROWS = _("Rows %(rows)s.")

ACTIONS = {
    "new": _("register person, open case"),
    "matched": _("existing person, open case"),
    "open_case": _("already has an open case: skipped"),
}

Progress = Callable[[int, int], None]


def _no_progress(done: int, total: int) -> None:
    return None


@dataclass
class ImportRow:
    number: int
    values: dict[str, Any]
    person_id: int | None = None
    action: str = "new"  # new | matched | open_case
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> list[Any]:
        v = self.values
        return [
            self.number,
            self.action,
            v["dji_number"],
            v["last_name"],
            v["first_name"],
            v["date_of_birth"].isoformat()
            if isinstance(v["date_of_birth"], datetime.date)
            else _text(v["date_of_birth"]),
            v["gender"] or "",
            v["municipality_of_origin"],
            v["report_date"].isoformat()
            if isinstance(v["report_date"], datetime.date)
            else _text(v["report_date"]),
            self.person_id,
            self.errors,
        ]

    @classmethod
    def from_json(cls, data: list[Any]) -> ImportRow:
        (number, action, dji, last, first, born, gender, town, report, pk, errors) = (
            data
        )

        def day(text: str) -> datetime.date | None:
            try:
                return datetime.date.fromisoformat(text) if text else None
            except ValueError:
                return None

        return cls(
            number=number,
            action=action,
            values={
                "dji_number": dji,
                "last_name": last,
                "first_name": first,
                "date_of_birth": day(born),
                "gender": gender,
                "municipality_of_origin": town,
                "report_date": day(report),
            },
            person_id=pk,
            errors=list(errors),
        )

    @property
    def action_label(self) -> str:
        return str(ACTIONS.get(self.action, self.action))


@dataclass
class ImportCheck:
    rows: list[ImportRow]
    file_errors: list[str]
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def bad_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.bad_rows

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action and not row.errors)

    def to_json(self) -> dict[str, Any]:
        return {
            "file_errors": self.file_errors,
            "context": self.context,
            "rows": [row.to_json() for row in self.rows],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImportCheck:
        return cls(
            rows=[ImportRow.from_json(row) for row in data.get("rows", [])],
            file_errors=list(data.get("file_errors", [])),
            context=dict(data.get("context", {})),
        )

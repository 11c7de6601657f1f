"""List import: DJI lists and DIZ call-up lists from .xlsx or .csv.

An import has three steps, each a plain function a background task can run:

1. ``import_batch_create`` keeps the uploaded file with a new ``ImportBatch``;
2. ``import_batch_check`` reads the file within limits (rows, cells, unpacked
   size, enforced while an .xlsx is streamed), checks every row against every
   rule the apply enforces (the person's own field rules, a plausible birth
   date, gender codes of the person form, duplicates in the file and among
   registered people, the site's status, intake process and criteria on the
   list date and on each report date) and STORES the result with the batch;
   pages only read it. Checking costs the same few queries for 10 rows or
   20,000;
3. ``import_batch_apply`` checks the stored rows again against the records as
   they are now (something may have changed in between: then it names the
   rows and nothing is written) and writes people and cases with bulk inserts
   in one transaction.

People are matched on DJI number or on name and date of birth, the same
rule as ``core.services.person_find_duplicates``, so an import never creates
a second record for someone already known.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import time
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history

from core.dates import (
    DATE_IN_FUTURE,
    DATE_OUT_OF_RANGE,
    EARLIEST_DATE,
    LATEST_DATE,
    day_text,
    in_range,
)
from core.jobs import JobState, Lease, enqueue_on_commit, job_retry
from core.models import (
    GENDER_IMPORT_CODES,
    AuditKind,
    Gender,
    Person,
    Site,
    SiteStatus,
    birth_date_error,
)
from core.services import audit_event_record
from intake.models import (
    EntryRoute,
    ImportBatch,
    ImportKind,
    ImportStatus,
    IntakeCase,
    IntakeOutcome,
)
from intake.services import (
    RECEIVING_STATUSES,
    cases_open_from_list,
    process_on,
)

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


FILE_TOO_LARGE = _("The file is larger than %(limit)s MB.")
FILE_WRONG_TYPE = _("Upload an Excel (.xlsx) or CSV (.csv) file.")
FILE_UNREADABLE = _("The file could not be read: %(error)s")
FILE_EMPTY = _("The file contains no rows.")
FILE_TOO_MANY_ROWS = _(
    "The list has more than %(limit)s rows. Split it into lists of at most "
    "%(limit)s rows."
)
FILE_TOO_MANY_CELLS = _(
    "The workbook holds more than %(limit)s filled cells; a list of at most "
    "%(rows)s rows has far fewer. Remove what is not part of the list."
)
FILE_UNPACKED_TOO_LARGE = _(
    "The workbook is too large once unpacked (%(size)s MB, at most %(limit)s MB)."
)
FILE_EMPTY_GAP = _(
    "From row %(row)s: more than %(limit)s empty rows in a row, then more data. "
    "Remove the empty rows."
)
MISSING_COLUMNS = _("Columns missing in the header row: %(columns)s.")
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


# --- reading --------------------------------------------------------------


class FileRefused(Exception):
    """The file as a whole cannot be read as a list (message for the user)."""


def check_upload(upload: UploadedFile) -> None:
    """Refuse files over the size limit or of another type before reading."""
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            FILE_TOO_LARGE, code="too_large", params={"limit": round(limit / 2**20, 1)}
        )
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in EXTENSIONS:
        raise ValidationError(FILE_WRONG_TYPE, code="wrong_type")
    head = upload.read(4)
    upload.seek(0)
    is_zip = head.startswith(b"PK")
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    if suffix == ".xlsx" and not is_zip:
        raise ValidationError(FILE_WRONG_TYPE, code="wrong_type")
    if suffix == ".csv" and (is_zip or (b"\x00" in head and not utf16)):
        raise ValidationError(FILE_WRONG_TYPE, code="wrong_type")


def decode_text(raw: bytes) -> str:
    """CSV bytes as text: UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's
    "Unicode text"), else Windows-1252 (Dutch Excel's "CSV"), else Latin-1."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _csv_rows(handle: IO[bytes]) -> Iterator[list[Any]]:
    text = decode_text(handle.read())
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = "excel"
    yield from csv.reader(io.StringIO(text), dialect)


_VALUE_TAGS = (b"v>", b"is>")


def _filled_cells(archive: zipfile.ZipFile, path: str, limit: int) -> int:
    """Filled cells (``<v>`` and inline ``<is>`` elements) of a sheet's XML,
    counted in the raw stream at C speed; refused past ``limit`` while reading."""
    counted = 0
    carry: dict[bytes, bytes] = {}
    prefix: bytes | None = None
    with archive.open(path) as stream:
        while chunk := stream.read(1 << 20):
            if prefix is None:
                found = re.search(rb"<(\w+:)?worksheet[\s>]", chunk)
                prefix = (found.group(1) or b"") if found else b""
            for tag in _VALUE_TAGS:
                needle = b"<" + prefix + tag
                data = carry.get(needle, b"") + chunk
                counted += data.count(needle)
                carry[needle] = data[-(len(needle) - 1) :]
            if counted > limit:
                raise FileRefused(
                    str(
                        FILE_TOO_MANY_CELLS
                        % {"limit": limit, "rows": settings.IMPORT_MAX_ROWS}
                    )
                )
    return counted


def _xlsx_rows(handle: IO[bytes]) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    limit = settings.IMPORT_MAX_UNPACKED_BYTES
    archive = zipfile.ZipFile(handle)
    for info in archive.infolist():
        if info.file_size > limit:
            raise FileRefused(
                str(
                    FILE_UNPACKED_TOO_LARGE
                    % {
                        "size": round(info.file_size / 2**20),
                        "limit": round(limit / 2**20),
                    }
                )
            )
    handle.seek(0)
    workbook = load_workbook(handle, read_only=True, data_only=True, keep_links=False)
    try:
        sheet = workbook.worksheets[0]
        # Reading stops at the last filled cell: trailing empty rows (a
        # million of them in a 144 KB file) are never parsed.
        path = getattr(sheet, "_worksheet_path", None)
        filled = (
            _filled_cells(archive, path, settings.IMPORT_MAX_CELLS) if path else None
        )
        seen = 0
        for row in sheet.iter_rows(values_only=True):
            if filled is not None and seen >= filled:
                return
            cells = list(row)
            seen += sum(1 for cell in cells if cell is not None)
            yield cells
    finally:
        workbook.close()


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


def read_rows(handle: IO[bytes], name: str) -> tuple[list[ImportRow], list[str]]:
    """The data rows of a list (numbered as in the spreadsheet), or the
    reason the file as a whole is refused.

    Limits hold while reading: at most ``IMPORT_MAX_ROWS`` data rows, at most
    ``IMPORT_MAX_CELLS`` filled cells and ``IMPORT_MAX_UNPACKED_BYTES`` per
    part of a workbook, and at most ``IMPORT_MAX_EMPTY_ROWS`` empty rows in a
    row before more data. Empty rows are skipped, not counted.
    """
    max_rows = settings.IMPORT_MAX_ROWS
    max_gap = settings.IMPORT_MAX_EMPTY_ROWS
    is_xlsx = Path(name).suffix.lower() == ".xlsx"
    rows: list[ImportRow] = []
    header: list[str] | None = None
    gap = gap_start = 0
    try:
        source = _xlsx_rows(handle) if is_xlsx else _csv_rows(handle)
        for number, cells in enumerate(source, start=1):
            if not any(_text(cell) for cell in cells):
                if not gap:
                    gap_start = number
                gap += 1
                if gap > max_gap:
                    # Refused only when data follows: trailing empty rows end
                    # the list (and an .xlsx stops at its last filled cell).
                    if any(any(_text(c) for c in more) for more in source):
                        raise FileRefused(
                            str(FILE_EMPTY_GAP % {"row": gap_start, "limit": max_gap})
                        )
                    break
                continue
            gap = 0
            if header is None:
                header = [_text(cell).lower() for cell in cells]
                missing = [c for c in COLUMNS if c not in header and c in REQUIRED]
                if "dji_number" not in header:
                    missing.insert(0, "dji_number")
                if missing:
                    raise FileRefused(
                        str(MISSING_COLUMNS % {"columns": ", ".join(missing)})
                    )
                continue
            if len(rows) >= max_rows:
                raise FileRefused(str(FILE_TOO_MANY_ROWS % {"limit": max_rows}))
            values = {
                column: cells[header.index(column)]
                if column in header and header.index(column) < len(cells)
                else None
                for column in COLUMNS
            }
            rows.append(ImportRow(number=number, values=values))
    except FileRefused as refused:
        return [], [str(refused)]
    except Exception as error:
        return [], [str(FILE_UNREADABLE % {"error": error.__class__.__name__})]
    if not rows:
        return [], [str(FILE_EMPTY)]
    return rows, []


# --- dates ------------------------------------------------------------------

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


# --- checking ---------------------------------------------------------------


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


def _field_errors(error: ValidationError) -> list[str]:
    return [
        str(ROW_FIELD % {"column": column, "message": message})
        for column, messages in error.message_dict.items()
        for message in messages
    ]


GENDER_INPUTS: dict[str, str] | None = None


#: the fields of ``Person`` a list fills in, checked by the field's own rules
PERSON_TEXT_FIELDS = (
    "first_name",
    "last_name",
    "gender",
    "dji_number",
    "municipality_of_origin",
)


def _validate_row(row: ImportRow, *, kind: str, today: datetime.date) -> None:
    """The row's values typed and checked by the rules of the records it
    becomes: each ``Person`` field's own validation (length, DJI digits,
    gender choices), the date policy and ``Person``'s birth-date rule, the
    report date's range. No database query, no model instance."""
    global GENDER_INPUTS
    if GENDER_INPUTS is None:
        GENDER_INPUTS = _gender_inputs()
    raw = row.values
    clean: dict[str, Any] = {column: _text(raw.get(column)) for column in COLUMNS}
    for column in ("last_name", "first_name", "date_of_birth", "gender"):
        if not clean[column]:
            row.errors.append(str(ROW_REQUIRED % {"column": column}))
    for column in ("date_of_birth", "report_date"):
        value = raw.get(column)
        clean[column] = None
        if _text(value):
            try:
                clean[column] = parse_date(value, today)
            except (ValueError, OverflowError):
                row.errors.append(
                    str(ROW_BAD_DATE % {"column": column, "value": _text(value)[:40]})
                )
    if clean["gender"]:
        gender = GENDER_INPUTS.get(clean["gender"].lower())
        if gender is None:
            codes = ", ".join(GENDER_IMPORT_CODES[value] for value in Gender.values)
            row.errors.append(
                str(ROW_BAD_GENDER % {"value": clean["gender"][:20], "codes": codes})
            )
        clean["gender"] = gender
    if (
        kind == ImportKind.DIZ_CALL_UP
        and not clean["report_date"]
        and not any("report_date" in error for error in row.errors)
    ):
        row.errors.append(str(ROW_REPORT_DATE_REQUIRED))
    row.values = clean
    if row.errors:
        return
    meta = Person._meta
    for name in PERSON_TEXT_FIELDS:
        try:
            meta.get_field(name).clean(clean[name], None)
        except ValidationError as error:
            row.errors.extend(_field_errors(ValidationError({name: error})))
    born = clean["date_of_birth"]
    born_error = None
    if not in_range(born):
        born_error = ValidationError(
            DATE_OUT_OF_RANGE,
            params={"earliest": EARLIEST_DATE.year, "latest": LATEST_DATE.year},
        )
    elif born > today:
        born_error = ValidationError(DATE_IN_FUTURE, params={"today": day_text(today)})
    else:
        born_error = birth_date_error(born, today)
    if born_error is not None:
        row.errors.extend(_field_errors(ValidationError({"date_of_birth": born_error})))
    report = clean["report_date"]
    if report is not None and not in_range(report):
        row.errors.extend(
            _field_errors(
                ValidationError(
                    {
                        "report_date": ValidationError(
                            DATE_OUT_OF_RANGE,
                            params={
                                "earliest": EARLIEST_DATE.year,
                                "latest": LATEST_DATE.year,
                            },
                        )
                    }
                )
            )
        )


def _identity(row: ImportRow) -> list[tuple[str, ...]]:
    keys = []
    values = row.values
    if values["dji_number"]:
        keys.append(("dji", values["dji_number"].lower()))
    if values["date_of_birth"] and values["first_name"] and values["last_name"]:
        keys.append(
            (
                "name",
                values["first_name"].casefold(),
                values["last_name"].casefold(),
                str(values["date_of_birth"]),
            )
        )
    return keys


@dataclass
class _Known:
    """The site's registered people and open cases, read in two queries."""

    by_dji: dict[str, list[tuple]]
    by_name: dict[tuple[str, str, datetime.date], list[tuple]]
    open_cases: set[int]

    @classmethod
    def load(cls, site: Site) -> _Known:
        by_dji: dict[str, list[tuple]] = defaultdict(list)
        by_name: dict[tuple[str, str, datetime.date], list[tuple]] = defaultdict(list)
        for person in Person.objects.filter(site=site).values_list(
            "pk", "dji_number", "first_name", "last_name", "date_of_birth"
        ):
            _pk, dji, first, last, born = person
            if dji:
                by_dji[dji.strip().lower()].append(person)
            by_name[(first.strip().casefold(), last.strip().casefold(), born)].append(
                person
            )
        open_cases = set(
            IntakeCase.objects.filter(
                site=site, outcome=IntakeOutcome.OPEN
            ).values_list("person_id", flat=True)
        )
        return cls(by_dji=by_dji, by_name=by_name, open_cases=open_cases)

    def matches(self, values: dict[str, Any]) -> list[tuple]:
        found: dict[int, tuple] = {}
        if values["dji_number"]:
            for person in self.by_dji.get(values["dji_number"].lower(), []):
                found[person[0]] = person
        key = (
            values["first_name"].casefold(),
            values["last_name"].casefold(),
            values["date_of_birth"],
        )
        for person in self.by_name.get(key, []):
            found[person[0]] = person
        return list(found.values())


def _status_label(status: str) -> str:
    return str(SiteStatus(status).label) if status else "-"


class _Statuses:
    """A site's status over time, read once."""

    def __init__(self, site: Site) -> None:
        self.periods = list(
            site.status_periods.order_by("start").values_list("start", "end", "status")
        )

    def on(self, day: datetime.date) -> str:
        status = ""
        for start, end, period_status in self.periods:
            if start <= day and (end is None or end >= day):
                status = period_status
        return status


def _check_context(
    *,
    site: Site,
    list_date: datetime.date,
    entry_route: EntryRoute | None,
    statuses: _Statuses,
) -> tuple[list[str], dict[str, Any]]:
    """What the cases get on the list date, and why they could not be opened."""
    errors: list[str] = []
    context: dict[str, Any] = {}
    status = statuses.on(list_date)
    params = {"site": site.name, "day": list_date.strftime("%d-%m-%Y")}
    if status not in RECEIVING_STATUSES:
        errors.append(
            str(
                SITE_NOT_RECEIVING_ON_LIST_DATE
                % {**params, "status": _status_label(status)}
            )
        )
    process = process_on(site=site, day=list_date)
    if process is None:
        errors.append(str(NO_PROCESS_ON_LIST_DATE % params))
    else:
        context["process"] = f"{process.name} (v{process.version})"
        if (
            entry_route is not None
            and not process.entry_routes.filter(code=entry_route.code).exists()
        ):
            errors.append(
                str(ROUTE_NOT_ON_LIST_DATE % {"route": entry_route.name, **params})
            )
    criteria = site.criteria_version_on(list_date)
    if criteria is None:
        errors.append(str(NO_CRITERIA_ON_LIST_DATE % params))
    else:
        context["criteria_version"] = criteria.version
    return errors, context


def check_rows(
    rows: list[ImportRow],
    *,
    site: Site,
    kind: str,
    list_date: datetime.date | None = None,
    entry_route: EntryRoute | None = None,
    validate: bool = True,
    progress: Progress = _no_progress,
) -> tuple[list[str], dict[str, Any]]:
    """Check every row and match it to registered people; errors stay on the
    row. A constant number of queries, whatever the number of rows.

    Returns the errors of the list as a whole and what the cases would get
    (process and criteria version on the list date).
    """
    today = timezone.localdate()
    list_date = list_date or today
    statuses = _Statuses(site)
    file_errors, context = _check_context(
        site=site, list_date=list_date, entry_route=entry_route, statuses=statuses
    )
    known = _Known.load(site)
    seen: dict[tuple[str, ...], int] = {}
    total = len(rows)
    for done, row in enumerate(rows, start=1):
        if validate:
            _validate_row(row, kind=kind, today=today)
        row.person_id, row.action = None, "new"
        if done % PROGRESS_EVERY == 0:
            progress(done, total)
        for key in _identity(row):
            if key in seen:
                row.errors.append(str(ROW_DUPLICATE_IN_FILE % {"row": seen[key]}))
                break
        for key in _identity(row):
            seen.setdefault(key, row.number)
        report_date = row.values.get("report_date")
        if isinstance(report_date, datetime.date) and in_range(report_date):
            status = statuses.on(report_date)
            if status not in RECEIVING_STATUSES and status != "":
                row.errors.append(
                    str(
                        ROW_SITE_CLOSED_ON_REPORT_DATE
                        % {
                            "day": report_date.strftime("%d-%m-%Y"),
                            "site": site.name,
                            "status": _status_label(status),
                        }
                    )
                )
        if row.errors:
            continue
        values = row.values
        matches = known.matches(values)
        if len(matches) > 1:
            row.errors.append(str(ROW_AMBIGUOUS))
            continue
        if matches:
            pk, dji, first, last, born = matches[0]
            same = (
                first.strip().casefold() == values["first_name"].casefold()
                and last.strip().casefold() == values["last_name"].casefold()
                and born == values["date_of_birth"]
            )
            if not same:
                row.errors.append(str(ROW_DJI_CONFLICT % {"dji": values["dji_number"]}))
                continue
            if dji and values["dji_number"] and dji.lower() != values["dji_number"]:
                row.errors.append(str(ROW_OTHER_DJI % {"dji": dji}))
                continue
            row.person_id = pk
            row.action = "open_case" if pk in known.open_cases else "matched"
    progress(total, total)
    return file_errors, context


def import_check(
    *,
    handle: IO[bytes],
    name: str,
    site: Site,
    kind: str,
    list_date: datetime.date | None = None,
    entry_route: EntryRoute | None = None,
    progress: Progress = _no_progress,
) -> ImportCheck:
    """Read and check a list without writing anything."""
    rows, file_errors = read_rows(handle, name)
    context: dict[str, Any] = {}
    if not file_errors:
        file_errors, context = check_rows(
            rows,
            site=site,
            kind=kind,
            list_date=list_date,
            entry_route=entry_route,
            progress=progress,
        )
    return ImportCheck(rows=rows, file_errors=file_errors, context=context)


# --- the import's life: create, check, apply ----------------------------------


@transaction.atomic
def import_batch_create(
    *,
    upload: UploadedFile,
    site: Site,
    kind: str,
    entry_route: EntryRoute,
    list_date: datetime.date,
    uploaded_by: AbstractBaseUser,
) -> ImportBatch:
    """Keep an uploaded list and queue its check (``import_batch_check``, run
    by a worker once this transaction commits)."""
    batch = ImportBatch(
        site=site,
        kind=kind,
        entry_route=entry_route,
        list_date=list_date,
        original_name=Path(upload.name or "list").name[:255],
        uploaded_by=uploaded_by,
        status=ImportStatus.CHECKING,
        job_state=JobState.QUEUED,
    )
    upload.seek(0)
    batch.file.save(batch.original_name, upload, save=False)
    batch.full_clean()
    batch.save()
    enqueue_on_commit(ImportBatch.job_task, job_pk=batch.pk)
    return batch


#: seconds between two progress writes to the batch
PROGRESS_INTERVAL = 1.0


def _progress_saver(batch: ImportBatch, progress: Progress | None) -> Progress:
    """``progress`` (a worker's lease reports rows done of total on the batch
    and renews the lease); without it, rows done of total are written to the
    batch directly, at most once per ``PROGRESS_INTERVAL`` (and always the
    start and the end)."""
    if progress is not None:
        return progress
    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if 0 < done < total and now - last[0] < PROGRESS_INTERVAL:
            return
        last[0] = now
        ImportBatch.objects.filter(pk=batch.pk).update(
            progress_done=done, progress_total=total
        )

    return report


def _store(batch: ImportBatch, check: ImportCheck, *, status: str) -> None:
    batch.check_result = check.to_json()
    batch.checked_at = timezone.now()
    batch.row_count = len(check.rows)
    batch.error_count = len(check.file_errors) + len(check.bad_rows)
    batch.status = status
    batch.save(
        update_fields=[
            "apply_error",
            "check_result",
            "checked_at",
            "row_count",
            "error_count",
            "status",
        ]
    )


def import_batch_check(
    batch: ImportBatch, progress: Progress | None = None
) -> ImportCheck:
    """Read and check a kept list and store the result with it.

    The status becomes "awaiting confirmation" (no errors) or "refused".
    Progress (rows done of total) is kept on the batch as it goes.
    """
    report = _progress_saver(batch, progress)
    if not batch.file:
        check = ImportCheck(rows=[], file_errors=[str(FILE_CHANGED)])
    else:
        with batch.file.open("rb") as handle:
            check = import_check(
                handle=handle,
                name=batch.original_name,
                site=batch.site,
                kind=batch.kind,
                list_date=batch.list_date,
                entry_route=batch.entry_route,
                progress=report,
            )
    _store(
        batch,
        check,
        status=ImportStatus.PREVIEW if check.ok else ImportStatus.REFUSED,
    )
    return check


def stored_check(batch: ImportBatch) -> ImportCheck | None:
    """The check result kept with the batch (never recomputed)."""
    if not batch.check_result:
        return None
    return ImportCheck.from_json(batch.check_result)


def _changes(before: ImportCheck, after: ImportCheck) -> list[ImportRow]:
    """Rows whose outcome differs between the stored check and a new one,
    with the difference as their error."""
    previous = {row.number: row for row in before.rows}
    changed = []
    for row in after.rows:
        old = previous.get(row.number)
        if row.errors:
            changed.append(row)
        elif old is not None and old.action != row.action:
            row.errors.append(
                str(
                    ROW_CHANGED
                    % {"change": f"{old.action_label} -> {row.action_label}"}
                )
            )
            changed.append(row)
    return changed


def _refuse_changed(
    batch: ImportBatch, stored: ImportCheck, fresh: ImportCheck
) -> ValidationError:
    """Keep the new result (to check and confirm again, or refused) and say
    which rows changed."""
    status = (
        ImportStatus.REFUSED
        if fresh.file_errors or fresh.bad_rows
        else ImportStatus.PREVIEW
    )
    changed = _changes(stored, ImportCheck.from_json(fresh.to_json()))
    numbers = ", ".join(
        f"{row.number} ({'; '.join(row.errors)})" for row in changed[:20]
    )
    if len(changed) > 20:
        numbers += ", ..."
    rows = str(CHANGED_ROWS % {"rows": numbers}) if changed else ""
    rows = " ".join([*fresh.file_errors, rows]).strip()
    error = ValidationError(CHANGED_SINCE_CHECK, code="changed", params={"rows": rows})
    batch.apply_error = " ".join(error.messages)
    _store(batch, fresh, status=status)
    return error


def import_batch_apply(
    batch: ImportBatch,
    *,
    actor: AbstractBaseUser | None = None,
    progress: Progress | None = None,
) -> ImportBatch:
    """Import a checked list: all rows or none, with bulk inserts.

    The stored rows are checked again against the records as they are now;
    when something changed in between (a person registered, a case opened,
    the site's status or process changed) nothing is written, the rows are
    named and the stored result is renewed. Matched people get a case; people
    with an open case at the site are skipped.
    """
    actor = actor or batch.applied_by
    report = _progress_saver(batch, progress)
    # Progress is reported outside the transaction, where others can see it:
    # the rows are written in one transaction, all or none.
    report(0, batch.row_count)
    try:
        with transaction.atomic():
            batch = _apply(batch, actor=actor)
    except _Changed as changed:
        # The transaction is rolled back; the renewed result is kept.
        with transaction.atomic():
            error = _refuse_changed(changed.batch, changed.stored, changed.fresh)
        raise error from None
    _statistics_refresh()
    report(batch.row_count, batch.row_count)
    return batch


def _statistics_refresh() -> None:
    """Renew PostgreSQL's planner statistics of the tables a list fills.

    A list adds thousands of people and cases to tables that may have held a
    few dozen; until autovacuum gets to them (up to a minute later) the
    planner believes the few dozen and reads the new cases one by one in
    nested loops: the worklist took 0.8 s a query instead of milliseconds,
    measured. ANALYZE samples a bounded number of rows and blocks nobody.
    """
    if connection.vendor != "postgresql":
        return
    names = [model._meta.db_table for model in (Person, IntakeCase)]
    tables = ", ".join(connection.ops.quote_name(name) for name in names)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


class _Changed(Exception):
    def __init__(self, batch: ImportBatch, stored: ImportCheck, fresh: ImportCheck):
        super().__init__("changed")
        self.batch, self.stored, self.fresh = batch, stored, fresh


def _apply(batch: ImportBatch, *, actor: AbstractBaseUser | None) -> ImportBatch:
    # Only the batch's row is locked: with the joined site row locked too
    # (FOR UPDATE), every other transaction writing a row that refers to the
    # site (an audit entry, a read log line, a case) waited at its commit
    # for the whole import. NO KEY: rows referring to the batch stay free.
    batch = (
        ImportBatch.objects.select_for_update(of=("self",), no_key=True)
        .select_related("site")
        .get(pk=batch.pk)
    )
    if batch.status == ImportStatus.APPLIED:
        raise ValidationError(ALREADY_APPLIED, code="applied")
    stored = stored_check(batch)
    if (
        stored is None
        or not stored.ok
        or batch.status
        not in (
            ImportStatus.PREVIEW,
            ImportStatus.APPLYING,
        )
    ):
        raise ValidationError(NOT_READY, code="not_ready")
    if not batch.file:
        raise ValidationError(FILE_CHANGED, code="purged")
    site = batch.site
    fresh = ImportCheck.from_json(batch.check_result)
    fresh.file_errors, fresh.context = check_rows(
        fresh.rows,
        site=site,
        kind=batch.kind,
        list_date=batch.list_date,
        entry_route=batch.entry_route,
        validate=False,
    )
    if not fresh.ok or _changes(stored, ImportCheck.from_json(fresh.to_json())):
        raise _Changed(batch, stored, fresh)
    total = len(fresh.rows)
    new_rows = [row for row in fresh.rows if row.action == "new"]
    people = [
        Person(
            site_id=site.pk,
            first_name=row.values["first_name"].strip(),
            last_name=row.values["last_name"].strip(),
            date_of_birth=row.values["date_of_birth"],
            gender=row.values["gender"],
            dji_number=row.values["dji_number"].strip(),
            municipality_of_origin=row.values["municipality_of_origin"].strip(),
        )
        for row in new_rows
    ]
    try:
        with transaction.atomic():
            created = bulk_create_with_history(
                people, Person, batch_size=BULK_BATCH_SIZE, default_user=actor
            )
    except IntegrityError:
        # Someone registered one of these people after the check above.
        fresh.file_errors, fresh.context = check_rows(
            fresh.rows,
            site=site,
            kind=batch.kind,
            list_date=batch.list_date,
            entry_route=batch.entry_route,
            validate=False,
        )
        raise _Changed(batch, stored, fresh) from None
    if any(person.pk is None for person in created):
        by_key = {
            (p.first_name, p.last_name, p.date_of_birth, p.dji_number): p.pk
            for p in Person.objects.filter(
                site=site, pseudonym__in=[person.pseudonym for person in created]
            )
        }
        for person in created:
            person.pk = by_key[
                (
                    person.first_name,
                    person.last_name,
                    person.date_of_birth,
                    person.dji_number,
                )
            ]
    for row, person in zip(new_rows, created, strict=True):
        row.person_id = person.pk
    people_by_pk = {person.pk: person for person in created}
    matched_ids = [row.person_id for row in fresh.rows if row.action == "matched"]
    people_by_pk.update(Person.objects.in_bulk(matched_ids))
    entries = [
        (people_by_pk[row.person_id], row.values["report_date"])
        for row in fresh.rows
        if row.action in ("new", "matched")
    ]
    opened = len(
        cases_open_from_list(
            site=site,
            entries=entries,
            opened_on=batch.list_date,
            entry_route=batch.entry_route,
            created_by=actor,
            import_batch=batch,
        )
    )
    batch.status = ImportStatus.APPLIED
    batch.applied_at = timezone.now()
    batch.applied_by = actor
    batch.people_created = len(created)
    batch.people_matched = len(matched_ids)
    batch.cases_opened = opened
    batch.apply_error = ""
    batch.check_result = fresh.to_json()
    batch.save(
        update_fields=[
            "status",
            "applied_at",
            "applied_by",
            "people_created",
            "people_matched",
            "cases_opened",
            "apply_error",
            "check_result",
        ]
    )
    audit_event_record(
        actor=actor,
        kind=AuditKind.IMPORT,
        site=site,
        summary=gettext_noop("List %(file)s imported: %(cases)s intake cases opened"),
        params={"file": batch.original_name, "cases": opened},
        details={
            "import": batch.pk,
            "rows": total,
            "people_created": len(created),
            "people_matched": len(matched_ids),
            "cases_opened": opened,
        },
    )
    return batch


def import_batch_confirm(batch: ImportBatch, *, actor: AbstractBaseUser) -> ImportBatch:
    """Confirm a checked list for import by ``actor``: the import is queued
    and a worker runs ``import_batch_apply`` once this transaction commits."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status == ImportStatus.APPLIED:
            raise ValidationError(ALREADY_APPLIED, code="applied")
        if batch.status != ImportStatus.PREVIEW:
            raise ValidationError(NOT_READY, code="not_ready")
        batch.status = ImportStatus.APPLYING
        batch.applied_by = actor
        batch.apply_error = ""
        # a fresh job: the check's attempts and progress do not count
        batch.job_state = JobState.QUEUED
        batch.attempts = 0
        batch.queued_at = timezone.now()
        batch.started_at = batch.finished_at = None
        batch.progress_done, batch.progress_total = 0, batch.row_count
        batch.error = ""
        batch.save(
            update_fields=[
                "status",
                "applied_by",
                "apply_error",
                "job_state",
                "attempts",
                "queued_at",
                "started_at",
                "finished_at",
                "progress_done",
                "progress_total",
                "error",
            ]
        )
        enqueue_on_commit(ImportBatch.job_task, job_pk=batch.pk)
    return batch


def import_batch_apply_failed(batch: ImportBatch, error: ValidationError) -> None:
    """After a refused apply: a list marked for import awaits confirmation
    again, with the reason kept to show on its page."""
    ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.APPLYING).update(
        status=ImportStatus.PREVIEW
    )
    ImportBatch.objects.filter(pk=batch.pk).update(
        apply_error=" ".join(error.messages)[:2000]
    )


def import_batch_retry(batch: ImportBatch, *, actor: AbstractBaseUser) -> bool:
    """Run a failed check or import again (its attempts afresh), recorded in
    the audit log; False when it had not failed."""
    if batch.status not in (ImportStatus.CHECKING, ImportStatus.APPLYING):
        return False
    reason = batch.error
    with transaction.atomic():
        if not job_retry(batch):
            return False
        audit_event_record(
            actor=actor,
            kind=AuditKind.IMPORT,
            site=batch.site,
            summary=gettext_noop("List import #%(import)s tried again after it failed"),
            params={"import": batch.pk},
            details={"import": batch.pk, "retry": True, "previous_error": reason[:500]},
        )
    return True


def import_batch_work(lease: Lease) -> None:
    """The background work of a batch (``intake.tasks.import_batch_run``):
    check it or import it, whichever its status asks, reporting rows done of
    total through the lease. A refused import (the records changed since the
    check) is an outcome for the user, not a failure of the work."""
    batch = lease.job
    assert isinstance(batch, ImportBatch)  # noqa: S101 - the task's own model

    def progress(done: int, total: int) -> None:
        lease.progress(done=done, total=total)

    if batch.status == ImportStatus.CHECKING:
        import_batch_check(batch, progress=progress)
    elif batch.status == ImportStatus.APPLYING:
        try:
            import_batch_apply(batch, progress=progress)
        except ValidationError as error:
            import_batch_apply_failed(batch, error)


# --- templates and retention ----------------------------------------------------


def template_rows(kind: str) -> list[list[str]]:
    example = [
        "1234567",
        "Voorbeeld",
        "Jan",
        "23-04-1985",
        GENDER_IMPORT_CODES[Gender.MALE],
        "Almelo" if kind == ImportKind.DJI_LIST else "Middelburg",
        "" if kind == ImportKind.DJI_LIST else "01-06-2021",
    ]
    return [COLUMNS, example]


def gender_codes_text() -> str:
    """The gender codes of the template with the person form's words:
    "M (man), V (vrouw), X (anders)"."""
    return ", ".join(
        f"{GENDER_IMPORT_CODES[value]} ({label})" for value, label in Gender.choices
    )


def template_xlsx(kind: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "lijst"
    for row in template_rows(kind):
        sheet.append(row)
    notes = workbook.create_sheet("toelichting")
    notes.append([_g("gender"), gender_codes_text()])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv(kind: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(template_rows(kind))
    return buffer.getvalue()


@transaction.atomic
def import_files_purge(*, uploaded_before: datetime.datetime) -> int:
    """Delete the kept files of lists uploaded before a moment (retention).

    The import records stay, with who imported what and the counts; the
    files and the stored rows with names and birth dates go. Returns the
    number of files.
    """
    purged = 0
    for batch in ImportBatch.objects.filter(uploaded_at__lt=uploaded_before).exclude(
        file=""
    ):
        storage, name = batch.file.storage, batch.file.name
        batch.file = ""
        batch.check_result = {}
        batch.save(update_fields=["file", "check_result"])
        # Only once the record says so: a rolled-back purge keeps its files.
        transaction.on_commit(partial(storage.delete, name))
        purged += 1
    return purged

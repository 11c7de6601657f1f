"""List import: reading and checking DJI lists and DIZ call-up lists from
.xlsx or .csv. The writes (keep, check and store, apply) are the services in
``intake.services.imports``.

Reading keeps within limits (rows, cells, unpacked size, enforced while an
.xlsx is streamed); checking tests every row against every rule the apply
enforces (the person's own field rules, a plausible birth date, gender codes
of the person form, duplicates in the file and among registered people, the
site's status, intake process and criteria on the list date and on each
report date). Checking costs the same few queries for 10 rows or 20,000.

People are matched on DJI number or on name and date of birth, the same
rule as ``core.services.person_find_duplicates``, so an import never creates
a second record for someone already known.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from core.models import (
    GENDER_IMPORT_CODES,
    Gender,
)
from intake.models import (
    ImportKind,
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


# --- templates ----------------------------------------------------


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

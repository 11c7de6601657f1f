"""List import: DJI lists and DIZ call-up lists from .xlsx or .csv.

Every row is parsed and checked first and every problem is collected with
its row number; only a file without problems can be applied, and applying
happens in one transaction. People are matched on DJI number or on name and
date of birth through ``core.services.person_find_duplicates``, so an import
never creates a second record for someone already known.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from core.models import AuditKind, Gender, Person, Site
from core.services import audit_event_record, person_create, person_find_duplicates
from intake.models import (
    EntryRoute,
    ImportBatch,
    ImportKind,
    ImportStatus,
    IntakeCase,
    IntakeOutcome,
)
from intake.services import cases_open_from_list

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
GENDERS = {
    "m": Gender.MALE,
    "man": Gender.MALE,
    "male": Gender.MALE,
    "v": Gender.FEMALE,
    "vrouw": Gender.FEMALE,
    "female": Gender.FEMALE,
    "x": Gender.OTHER,
    "anders": Gender.OTHER,
    "other": Gender.OTHER,
}
EXTENSIONS = {".csv", ".xlsx"}

FILE_TOO_LARGE = _("The file is larger than %(limit)s MB.")
FILE_WRONG_TYPE = _("Upload an Excel (.xlsx) or CSV (.csv) file.")
FILE_UNREADABLE = _("The file could not be read: %(error)s")
FILE_EMPTY = _("The file contains no rows.")
MISSING_COLUMNS = _("Columns missing in the header row: %(columns)s.")
ROW_REQUIRED = _("%(column)s is empty.")
ROW_BAD_DATE = _("%(column)s %(value)s is not a date (use YYYY-MM-DD or DD-MM-YYYY).")
ROW_FUTURE_BIRTH = _("date_of_birth lies in the future.")
ROW_BAD_GENDER = _("gender %(value)s is not M, V or X.")
ROW_DUPLICATE_IN_FILE = _("This person is also on row %(row)s of the file.")
ROW_REPORT_DATE_REQUIRED = _("report_date is required on a DIZ call-up list.")
ROW_AMBIGUOUS = _("Matches more than one registered person; resolve by hand first.")
ROW_DJI_CONFLICT = _(
    "DJI number %(dji)s belongs to a registered person with another name or "
    "date of birth."
)
ROW_OTHER_DJI = _(
    "A registered person with this name and date of birth has DJI number "
    "%(dji)s; check which number is right."
)
ALREADY_APPLIED = _("This list has already been imported.")
FILE_CHANGED = _("The list no longer validates; upload it again.")


@dataclass
class ImportRow:
    number: int
    values: dict[str, Any]
    person: Person | None = None
    action: str = "new"  # new | matched | open_case
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportCheck:
    rows: list[ImportRow]
    file_errors: list[str]

    @property
    def bad_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.bad_rows

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action and not row.errors)


def check_upload(upload: UploadedFile) -> None:
    """Refuse files over the size limit or of another type before reading."""
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            FILE_TOO_LARGE, code="too_large", params={"limit": round(limit / 2**20, 1)}
        )
    if Path(upload.name or "").suffix.lower() not in EXTENSIONS:
        raise ValidationError(FILE_WRONG_TYPE, code="wrong_type")
    head = upload.read(4)
    upload.seek(0)
    is_zip = head.startswith(b"PK")
    if Path(upload.name).suffix.lower() == ".xlsx" and not is_zip:
        raise ValidationError(FILE_WRONG_TYPE, code="wrong_type")
    if Path(upload.name).suffix.lower() == ".csv" and (is_zip or b"\x00" in head):
        raise ValidationError(FILE_WRONG_TYPE, code="wrong_type")


def _read_rows(handle: IO[bytes], name: str) -> list[list[Any]]:
    if Path(name).suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(handle, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        workbook.close()
        return rows
    text = handle.read().decode("utf-8-sig")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
    except csv.Error:
        dialect = "excel"
    return [list(row) for row in csv.reader(io.StringIO(text), dialect)]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007
        except ValueError:
            continue
    raise ValueError(text)


def parse_rows(handle: IO[bytes], name: str) -> tuple[list[ImportRow], list[str]]:
    """The data rows of a list (row numbers as in the spreadsheet)."""
    try:
        raw = _read_rows(handle, name)
    except Exception as error:
        return [], [str(FILE_UNREADABLE % {"error": error.__class__.__name__})]
    if not any(any(_text(cell) for cell in row) for row in raw):
        return [], [str(FILE_EMPTY)]
    header = [_text(cell).lower() for cell in raw[0]]
    missing = [c for c in COLUMNS if c not in header and c in REQUIRED | {"dji_number"}]
    if missing:
        return [], [str(MISSING_COLUMNS % {"columns": ", ".join(missing)})]
    rows = []
    for number, cells in enumerate(raw[1:], start=2):
        if not any(_text(cell) for cell in cells):
            continue
        values = {
            column: cells[header.index(column)]
            if column in header and header.index(column) < len(cells)
            else None
            for column in COLUMNS
        }
        rows.append(ImportRow(number=number, values=values))
    if not rows:
        return [], [str(FILE_EMPTY)]
    return rows, []


def _validate_row(row: ImportRow, *, kind: str, today: datetime.date) -> None:
    values = row.values
    clean: dict[str, Any] = {}
    for column in COLUMNS:
        clean[column] = _text(values.get(column))
    for column in ("last_name", "first_name", "date_of_birth", "gender"):
        if not clean[column]:
            row.errors.append(str(ROW_REQUIRED % {"column": column}))
    for column in ("date_of_birth", "report_date"):
        raw = values.get(column)
        if _text(raw):
            try:
                clean[column] = _date(raw)
            except ValueError:
                row.errors.append(
                    str(ROW_BAD_DATE % {"column": column, "value": _text(raw)})
                )
                clean[column] = None
        else:
            clean[column] = None
    if (
        isinstance(clean["date_of_birth"], datetime.date)
        and clean["date_of_birth"] > today
    ):
        row.errors.append(str(ROW_FUTURE_BIRTH))
    if clean["gender"]:
        gender = GENDERS.get(clean["gender"].lower())
        if gender is None:
            row.errors.append(str(ROW_BAD_GENDER % {"value": clean["gender"]}))
        clean["gender"] = gender
    if (
        kind == ImportKind.DIZ_CALL_UP
        and not clean["report_date"]
        and not any("report_date" in error for error in row.errors)
    ):
        row.errors.append(str(ROW_REPORT_DATE_REQUIRED))
    row.values = clean


def _identity(row: ImportRow) -> list[tuple[str, ...]]:
    keys = []
    if row.values["dji_number"]:
        keys.append(("dji", row.values["dji_number"].lower()))
    if row.values["date_of_birth"]:
        keys.append(
            (
                "name",
                row.values["first_name"].lower(),
                row.values["last_name"].lower(),
                str(row.values["date_of_birth"]),
            )
        )
    return keys


def check_rows(
    rows: list[ImportRow], *, site: Site, kind: str, today: datetime.date
) -> None:
    """Validate every row and match it to registered people; errors stay on the row."""
    seen: dict[tuple[str, ...], int] = {}
    for row in rows:
        _validate_row(row, kind=kind, today=today)
        for key in _identity(row):
            if key in seen:
                row.errors.append(str(ROW_DUPLICATE_IN_FILE % {"row": seen[key]}))
                break
        for key in _identity(row):
            seen.setdefault(key, row.number)
        if row.errors:
            continue
        values = row.values
        matches = list(
            person_find_duplicates(
                site=site,
                dji_number=values["dji_number"],
                first_name=values["first_name"],
                last_name=values["last_name"],
                date_of_birth=values["date_of_birth"],
            )
        )
        if len(matches) > 1:
            row.errors.append(str(ROW_AMBIGUOUS))
            continue
        if matches:
            person = matches[0]
            same = (
                person.first_name.lower() == values["first_name"].lower()
                and person.last_name.lower() == values["last_name"].lower()
                and person.date_of_birth == values["date_of_birth"]
            )
            other_dji = (
                person.dji_number
                and values["dji_number"]
                and person.dji_number.lower() != values["dji_number"].lower()
            )
            if not same:
                row.errors.append(str(ROW_DJI_CONFLICT % {"dji": values["dji_number"]}))
                continue
            if other_dji:
                row.errors.append(str(ROW_OTHER_DJI % {"dji": person.dji_number}))
                continue
            row.person = person
            row.action = "matched"
    open_people = set(
        IntakeCase.objects.filter(
            site=site,
            outcome=IntakeOutcome.OPEN,
            person__in=[row.person for row in rows if row.person is not None],
        ).values_list("person_id", flat=True)
    )
    for row in rows:
        if row.person is not None and row.person.pk in open_people:
            row.action = "open_case"


def import_check(*, handle: IO[bytes], name: str, site: Site, kind: str) -> ImportCheck:
    """Parse and check a list without writing anything."""
    rows, file_errors = parse_rows(handle, name)
    if not file_errors:
        check_rows(rows, site=site, kind=kind, today=timezone.localdate())
    return ImportCheck(rows=rows, file_errors=file_errors)


@transaction.atomic
def import_batch_create(
    *,
    upload: UploadedFile,
    site: Site,
    kind: str,
    entry_route: EntryRoute,
    list_date: datetime.date,
    uploaded_by: AbstractBaseUser,
    check: ImportCheck,
) -> ImportBatch:
    """Keep a valid upload for preview; nothing is imported yet."""
    batch = ImportBatch(
        site=site,
        kind=kind,
        entry_route=entry_route,
        list_date=list_date,
        original_name=Path(upload.name or "list").name[:255],
        uploaded_by=uploaded_by,
        row_count=len(check.rows),
    )
    upload.seek(0)
    batch.file.save(batch.original_name, upload, save=False)
    batch.full_clean()
    batch.save()
    return batch


def batch_check(batch: ImportBatch) -> ImportCheck:
    with batch.file.open("rb") as handle:
        return import_check(
            handle=handle, name=batch.original_name, site=batch.site, kind=batch.kind
        )


@transaction.atomic
def import_batch_apply(*, batch: ImportBatch, actor: AbstractBaseUser) -> ImportBatch:
    """Apply a previewed list: all rows or none.

    Rows are checked again against the current records; one bad row and
    nothing is written. Matched people get a case; people with an open case
    at the site are left as they are.
    """
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status == ImportStatus.APPLIED:
        raise ValidationError(ALREADY_APPLIED, code="applied")
    if not batch.file:
        raise ValidationError(FILE_CHANGED, code="purged")
    check = batch_check(batch)
    if not check.ok:
        raise ValidationError(FILE_CHANGED, code="changed")
    created = matched = 0
    entries = []
    for row in check.rows:
        if row.action == "open_case":
            continue
        values = row.values
        person = row.person
        if person is None:
            person = person_create(
                site=batch.site,
                first_name=values["first_name"],
                last_name=values["last_name"],
                date_of_birth=values["date_of_birth"],
                gender=values["gender"],
                dji_number=values["dji_number"],
                municipality_of_origin=values["municipality_of_origin"],
            )
            created += 1
        else:
            matched += 1
        entries.append((person, values["report_date"]))
    opened = len(
        cases_open_from_list(
            site=batch.site,
            entries=entries,
            opened_on=batch.list_date,
            entry_route=batch.entry_route,
            created_by=actor,
            import_batch=batch,
        )
    )
    batch.status = ImportStatus.APPLIED
    batch.applied_at = timezone.now()
    batch.people_created = created
    batch.people_matched = matched
    batch.cases_opened = opened
    batch.save()
    audit_event_record(
        actor=actor,
        kind=AuditKind.IMPORT,
        site=batch.site,
        summary=gettext_noop("List %(file)s imported: %(cases)s intake cases opened"),
        params={"file": batch.original_name, "cases": opened},
        details={
            "import": batch.pk,
            "rows": len(check.rows),
            "people_created": created,
            "people_matched": matched,
            "cases_opened": opened,
        },
    )
    return batch


def template_rows(kind: str) -> list[list[str]]:
    example = [
        "1234567",
        "Voorbeeld",
        "Jan",
        "1985-04-23",
        "M",
        "Almelo" if kind == ImportKind.DJI_LIST else "Middelburg",
        "" if kind == ImportKind.DJI_LIST else "2021-06-01",
    ]
    return [COLUMNS, example]


def template_xlsx(kind: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "lijst"
    for row in template_rows(kind):
        sheet.append(row)
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

    The import records stay, with who imported what and the counts; only
    the files with names and birth dates go. Returns the number of files.
    """
    purged = 0
    for batch in ImportBatch.objects.filter(uploaded_at__lt=uploaded_before).exclude(
        file=""
    ):
        storage, name = batch.file.storage, batch.file.name
        batch.file = ""
        batch.save(update_fields=["file"])
        # Only once the record says so: a rolled-back purge keeps its files.
        transaction.on_commit(partial(storage.delete, name))
        purged += 1
    return purged

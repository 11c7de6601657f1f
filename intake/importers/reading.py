"""Reading a list file (.xlsx or .csv) within limits: the upload's size
and type, the text encoding, rows and filled cells counted while an .xlsx
is streamed, the header row.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from intake.importers.dates import _text
from intake.importers.rows import COLUMNS, EXTENSIONS, REQUIRED, ImportRow

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

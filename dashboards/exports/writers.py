"""Writers for the export formats: one interface, sheets appended row by row.

Every writer stores a value as its column's kind says (codebook.py): real
date cells and numbers in Excel, SPSS DATE and numeric variables with
formats, measurement levels, labels and user-missing values, the same in
Stata. Text cells and headers in Excel and CSV are neutralised against
formula injection by ``core.spreadsheets`` (the one implementation, shared
with the data-subject access document): a leading apostrophe, so no
spreadsheet runs them. SPSS and Stata store text as data, never as a
formula, so their strings stay exactly as entered.

- Excel: XlsxWriter in constant-memory mode writes each row to disk as soon
  as the next one starts (memory stays flat; faster than openpyxl's
  write-only mode, see bench/README.md).
- CSV: one file per sheet in a zip archive, written as it streams.
- SPSS (.sav) and Stata (.dta): pyreadstat needs a whole data frame, so these
  writers hold one sheet at a time (use CSV or Excel for the very largest
  exports; README).

Why no string variable in a .sav carries missing values: ReadStat writes
the long-string missing-values record (subtype 22) with one value length per
variable followed by the values, while GNU PSPP (1.6) reads a length before
every value. With one missing value both agree; with two or more PSPP warns
"Extension record subtype 22 ends unexpectedly" and drops them. Dates are
therefore numeric DATE variables and every coded variable is numeric; the
missing-data codes live only on numeric variables (a range, -94 to -91).
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol

from core.spreadsheets import cell_value, neutralise
from dashboards.exports.codebook import (
    DATE,
    INTEGER,
    MISSING_CODES,
    NUMBER,
    TEXT,
    Column,
)

#: Excel stores dates from 1 March 1900 on without its 1900 leap-year bug
EXCEL_FIRST_DATE = datetime.date(1900, 3, 1)


def fit(text: str, size: int) -> str:
    """``text`` cut to at most ``size`` bytes of UTF-8, never inside a
    character (SPSS limits labels and notes in bytes)."""
    return text.encode("utf-8")[:size].decode("utf-8", errors="ignore")


class ExportWriter(Protocol):
    suffix: str

    def sheet(self, name: str, columns: list[Column], rows: Iterable[list[Any]]) -> int:
        """Write one sheet; returns the number of data rows."""

    def close(self) -> None: ...


class XlsxExportWriter:
    suffix = ".xlsx"

    def __init__(self, path: Path) -> None:
        import xlsxwriter

        self.workbook = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                # values are typed already: never guess a number, formula
                # or link from a string
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        self.bold = self.workbook.add_format({"bold": True})
        self.date = self.workbook.add_format({"num_format": "yyyy-mm-dd"})

    def _cell_writer(self, worksheet: Any, column: Column) -> Callable[..., Any]:
        if column.kind == DATE:
            write_date, write_string, date = (
                worksheet.write_datetime,
                worksheet.write_string,
                self.date,
            )

            def write(row: int, col: int, value: Any) -> None:
                if isinstance(value, datetime.date) and value >= EXCEL_FIRST_DATE:
                    write_date(row, col, value, date)
                else:
                    write_string(row, col, neutralise(str(value)))

            return write
        if column.numeric:
            # Excel's General format shows whole numbers as integers already
            write_number = worksheet.write_number
            return lambda row, col, value: write_number(row, col, value)
        write_string = worksheet.write_string
        return lambda row, col, value: write_string(row, col, neutralise(str(value)))

    def sheet(self, name: str, columns: list[Column], rows: Iterable[list[Any]]) -> int:
        worksheet = self.workbook.add_worksheet(name[:31])
        for index, column in enumerate(columns):
            worksheet.write_string(0, index, neutralise(column.name), self.bold)
            if column.kind == DATE:
                worksheet.set_column(index, index, 11)
        worksheet.freeze_panes(1, 0)
        writers = [self._cell_writer(worksheet, column) for column in columns]
        count = 0
        for count, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                if value is not None and value != "":
                    writers[col](count, col, value)
        return count

    def close(self) -> None:
        self.workbook.close()


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return cell_value(value)


class CsvZipWriter:
    """One UTF-8 CSV per sheet (separator ``;``, decimal point ``.``, dates
    as YYYY-MM-DD) in a zip archive."""

    suffix = ".zip"

    def __init__(self, path: Path) -> None:
        self.archive = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED)

    def sheet(self, name: str, columns: list[Column], rows: Iterable[list[Any]]) -> int:
        count = 0
        with self.archive.open(f"{name}.csv", "w") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            writer = csv.writer(text, delimiter=";")
            writer.writerow([neutralise(column.name) for column in columns])
            for row in rows:
                writer.writerow([_csv_value(value) for value in row])
                count += 1
            text.flush()
            text.detach()
        return count

    def close(self) -> None:
        self.archive.close()


def _spss_names(columns: list[Column]) -> list[str]:
    """SPSS variable names: at most 64 bytes, unique, starting with a letter."""
    seen: set[str] = set()
    names = []
    for column in columns:
        base = column.name[:60]
        if not base[:1].isalpha():
            base = f"v_{base}"[:60]
        name, counter = base, 1
        while name.lower() in seen:
            counter += 1
            name = f"{base[:56]}_{counter}"
        seen.add(name.lower())
        names.append(name)
    return names


def _stata_names(columns: list[Column]) -> list[str]:
    names, seen = [], set()
    for column in columns:
        name = column.stata_name
        if name in seen:  # pragma: no cover - the hash keeps names apart
            raise ValueError(f"two columns share the Stata name {name}")
        seen.add(name)
        names.append(name)
    return names


def _frame(
    columns: list[Column],
    names: list[str],
    data: list[list[Any]],
    date_number: Callable[[datetime.date], float],
) -> Any:
    """A data frame typed per column: float64 for numbers (NaN when empty),
    dates as the file format's own number (``date_number``; the writer gives
    them a date format), strings (never None) for text.

    Dates are not handed over as date objects: pyreadstat (through narwhals)
    guesses the type of an object column from its first hundred values and
    takes a column that starts with a hundred empty cells for text, then
    fails on the first date further down."""
    import pandas

    series = {}
    for index, (column, name) in enumerate(zip(columns, names, strict=True)):
        values = [row[index] if index < len(row) else None for row in data]
        if column.numeric:
            series[name] = pandas.Series(
                [math.nan if v is None or v == "" else float(v) for v in values],
                dtype="float64",
            )
        elif column.kind == DATE:
            series[name] = pandas.Series(
                [
                    date_number(v) if isinstance(v, datetime.date) else math.nan
                    for v in values
                ],
                dtype="float64",
            )
        else:
            series[name] = pandas.Series(
                ["" if v is None else str(v) for v in values], dtype="object"
            )
    return pandas.DataFrame(series, columns=names)


#: SPSS counts seconds from the start of the Gregorian calendar, Stata days
#: from 1960
SPSS_DAY_ZERO = datetime.date(1582, 10, 14)
STATA_DAY_ZERO = datetime.date(1960, 1, 1)


def _spss_date(value: datetime.date) -> float:
    return float((value - SPSS_DAY_ZERO).days * 86400)


def _stata_date(value: datetime.date) -> float:
    return float((value - STATA_DAY_ZERO).days)


def _spss_format(column: Column, frame: Any, name: str) -> str | None:
    if column.kind == DATE:
        return "DATE"
    if column.kind == TEXT:
        return None
    if column.kind == NUMBER:
        return f"F8.{max(1, column.decimals)}"
    values = frame[name].dropna()
    width = max([len(str(int(v))) for v in values] + [3])
    return f"F{min(width, 12)}.0"


class SavZipWriter:
    """One SPSS file per sheet, with Dutch variable and value labels, units,
    measurement levels, formats and the missing-data codes as user-missing."""

    suffix = ".zip"

    def __init__(self, path: Path) -> None:
        self.archive = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED)
        self.notes: list[str] = []

    def sheet(self, name: str, columns: list[Column], rows: Iterable[list[Any]]) -> int:
        import pyreadstat

        data = [list(row) for row in rows]
        if name == "over_dit_bestand":
            # the same lines go into every file's document record
            self.notes = [fit(f"{row[0]}: {row[1]}", 80) for row in data]
        names = _spss_names(columns)
        frame = _frame(columns, names, data, _spss_date)
        missing: dict[str, list[Any]] = {}
        labels: dict[str, dict[float, str]] = {}
        formats: dict[str, str] = {}
        for column, spss in zip(columns, names, strict=True):
            if column.numeric and column.missing:
                codes = sorted(MISSING_CODES.values())
                missing[spss] = [{"lo": float(codes[0]), "hi": float(codes[-1])}]
            if column.numeric and column.all_value_labels:
                labels[spss] = {
                    float(code): fit(label, 120)
                    for code, label in column.all_value_labels.items()
                }
            spss_format = _spss_format(column, frame, spss)
            if spss_format:
                formats[spss] = spss_format
        with tempfile.TemporaryDirectory() as folder:
            target = Path(folder) / f"{name}.sav"
            pyreadstat.write_sav(
                frame,
                str(target),
                file_label=f"KV Monitor: {name}"[:64],
                note=self.notes or None,
                column_labels={
                    s: fit(c.full_label, 255)
                    for c, s in zip(columns, names, strict=True)
                },
                variable_value_labels=labels,
                missing_ranges=missing,
                variable_measure={
                    s: c.measure for c, s in zip(columns, names, strict=True)
                },
                variable_format=formats,
            )
            self.archive.write(target, f"{name}.sav")
        return len(data)

    def close(self) -> None:
        self.archive.close()


class DtaZipWriter:
    """One Stata file per sheet (version 15): names of at most 28 characters
    (the codebook lists them), variable and value labels. The missing-data
    codes stay numbers with their labels: pyreadstat can write Stata's
    extended missing values only in object columns, whose type it guesses
    from the first hundred values (a column starting with a hundred empty or
    missing cells becomes text and fails). ``over_dit_bestand`` gives the
    ``mvdecode`` line that turns them into .a-.d."""

    suffix = ".zip"

    def __init__(self, path: Path) -> None:
        self.archive = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED)

    def sheet(self, name: str, columns: list[Column], rows: Iterable[list[Any]]) -> int:
        import pyreadstat

        data = [list(row) for row in rows]
        names = _stata_names(columns)
        frame = _frame(columns, names, data, _stata_date)
        labels: dict[str, dict[int, str]] = {}
        formats: dict[str, str] = {}
        for column, stata in zip(columns, names, strict=True):
            if column.numeric and column.all_value_labels:
                labels[stata] = {
                    int(code): fit(label, 80)
                    for code, label in column.all_value_labels.items()
                }
            if column.kind == DATE:
                formats[stata] = "%td"
            elif column.kind == INTEGER or (column.numeric and column.kind != NUMBER):
                formats[stata] = "%9.0f"
        with tempfile.TemporaryDirectory() as folder:
            target = Path(folder) / f"{name}.dta"
            pyreadstat.write_dta(
                frame,
                str(target),
                file_label=f"KV Monitor: {name}"[:80],
                column_labels={
                    s: fit(c.full_label, 80)
                    for c, s in zip(columns, names, strict=True)
                },
                variable_value_labels=labels,
                variable_format=formats,
                version=15,
            )
            self.archive.write(target, f"{name}.dta")
        return len(data)

    def close(self) -> None:
        self.archive.close()


WRITERS: dict[str, type] = {
    "xlsx": XlsxExportWriter,
    "csv": CsvZipWriter,
    "sav": SavZipWriter,
    "dta": DtaZipWriter,
}

"""Writers for the export formats: one interface, sheets appended row by row.

Excel uses openpyxl's write-only mode, which spools each sheet to a temporary
file instead of keeping cells in memory. CSV writes straight into a zip
archive. SPSS needs a whole data frame per file, so the .sav writer holds one
sheet at a time (documented in the README: use CSV or Excel for the largest
exports).
"""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from dashboards.exports.codebook import MISSING_CODES, Column


class ExportWriter(Protocol):
    suffix: str

    def sheet(self, name: str, columns: list[Column], rows: Iterable[list[Any]]) -> int:
        """Write one sheet; returns the number of data rows."""

    def close(self) -> None: ...


class XlsxWriter:
    suffix = ".xlsx"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.workbook = Workbook(write_only=True)
        self.bold = Font(bold=True)

    def sheet(self, name: str, columns: list[Column], rows: Iterable[list[Any]]) -> int:
        worksheet = self.workbook.create_sheet(name[:31])
        header = []
        for column in columns:
            cell = WriteOnlyCell(worksheet, value=column.name)
            cell.font = self.bold
            header.append(cell)
        worksheet.append(header)
        count = 0
        for row in rows:
            worksheet.append(row)
            count += 1
        return count

    def close(self) -> None:
        self.workbook.save(self.path)


class CsvZipWriter:
    suffix = ".zip"

    def __init__(self, path: Path) -> None:
        self.archive = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED)

    def sheet(self, name: str, columns: list[Column], rows: Iterable[list[Any]]) -> int:
        count = 0
        with self.archive.open(f"{name}.csv", "w") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            writer = csv.writer(text, delimiter=";")
            writer.writerow([column.name for column in columns])
            for row in rows:
                writer.writerow(["" if value is None else value for value in row])
                count += 1
            text.flush()
            text.detach()
        return count

    def close(self) -> None:
        self.archive.close()


class SavZipWriter:
    """One SPSS file per sheet, with labels and user-missing codes."""

    suffix = ".zip"

    def __init__(self, path: Path) -> None:
        self.archive = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED)

    def sheet(self, name: str, columns: list[Column], rows: Iterable[list[Any]]) -> int:
        import pandas
        import pyreadstat

        names = _spss_names(columns)
        data = [list(row) for row in rows]
        frame = pandas.DataFrame(data, columns=names)
        missing: dict[str, list[Any]] = {}
        labels: dict[str, dict[float, str]] = {}
        for column, spss in zip(columns, names, strict=True):
            if column.numeric:
                frame[spss] = pandas.to_numeric(frame[spss], errors="coerce").astype(
                    "float64"
                )
                if column.missing:
                    codes = sorted(MISSING_CODES.values())
                    missing[spss] = [{"lo": float(codes[0]), "hi": float(codes[-1])}]
                value_labels = {
                    float(k): str(v) for k, v in column.value_labels.items()
                }
                if column.missing:
                    value_labels.update(
                        {
                            float(code): str(reason)
                            for reason, code in MISSING_CODES.items()
                        }
                    )
                if value_labels:
                    labels[spss] = value_labels
            else:
                frame[spss] = frame[spss].map(lambda v: "" if v is None else str(v))
                if column.missing:
                    # string variables allow three discrete missing values
                    missing[spss] = [
                        str(c) for c in sorted(MISSING_CODES.values())[-3:]
                    ]
        with tempfile.TemporaryDirectory() as folder:
            target = Path(folder) / f"{name}.sav"
            pyreadstat.write_sav(
                frame,
                str(target),
                column_labels={
                    s: c.label[:250] for c, s in zip(columns, names, strict=True)
                },
                variable_value_labels=labels,
                missing_ranges=missing,
            )
            self.archive.write(target, f"{name}.sav")
        return len(data)

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


WRITERS = {"xlsx": XlsxWriter, "csv": CsvZipWriter, "sav": SavZipWriter}

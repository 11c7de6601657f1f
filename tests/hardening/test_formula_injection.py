"""No spreadsheet the application writes can run a formula someone typed.

Every writer of spreadsheet cells is enumerated: each research export format
(``dashboards.exports.writers.WRITERS``), the data-subject access document and
the intake list templates. Text typed as a formula comes out of Excel and CSV
with a leading apostrophe (``core.spreadsheets``, the one implementation);
SPSS and Stata hold text as data, never as a formula, so there it stays as
typed. A scan of the source finds every module that writes spreadsheet cells,
so a new writer fails here until it is listed and checked.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from openpyxl import load_workbook

from core.models import Person
from core.subject_access import Section, subject_access_workbook
from dashboards.exports.codebook import Column
from dashboards.exports.writers import WRITERS
from intake.importers import template_csv, template_xlsx
from intake.models import ImportKind

ROOT = Path(__file__).resolve().parents[2]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n")
TYPED = [
    '=HYPERLINK("http://example.com","klik")',
    "+31 6 12345678",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
]
#: formats whose files open in a spreadsheet program, and those read by
#: statistics programs only
SPREADSHEET_FORMATS = {"xlsx", "csv"}
STATISTICS_FORMATS = {"sav", "dta"}
#: every module that writes spreadsheet cells, and what checks it below
WRITING_MODULES = {
    "dashboards/exports/writers.py": "every export format",
    "core/subject_access.py": "the data-subject access document",
    "intake/importers/templates.py": "the list templates (fixed text only)",
}
WRITES_CELLS = re.compile(
    r"\bcsv\.(?:Dict)?[wW]riter\(|\bWorkbook\(|\bxlsxwriter\b|\bwrite_(?:sav|dta)\("
)


def _carriage_return(text: str) -> str:
    return text.replace("_x000D_", "\r").replace("\n", "\r")


def _xlsx_text(content: bytes) -> list[str]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return [
        value
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if isinstance(value, str)
    ]


def _csv_text(text: str) -> list[str]:
    dialect = ";" if text.partition("\n")[0].count(";") else ","
    return [
        value
        for row in csv.reader(io.StringIO(text), delimiter=dialect)
        for value in row
    ]


def _export_cells(export_format: str, tmp_path: Path) -> list[str]:
    """The text cells of a one-sheet export of every typed formula, as the
    program that opens the file reads them."""
    writer_class = WRITERS[export_format]
    path = tmp_path / f"export{writer_class.suffix}"
    writer = writer_class(path)
    writer.sheet(
        "opmerkingen", [Column("opmerking", "Opmerking")], [[t] for t in TYPED]
    )
    writer.close()
    if export_format == "xlsx":
        return _xlsx_text(path.read_bytes())
    archive = zipfile.ZipFile(path)
    (name,) = archive.namelist()
    if export_format == "csv":
        return _csv_text(archive.read(name).decode("utf-8-sig"))
    import pyreadstat

    archive.extract(name, tmp_path)
    read = pyreadstat.read_sav if name.endswith(".sav") else pyreadstat.read_dta
    frame, _meta = read(str(tmp_path / name))
    return [*frame.columns, *frame["opmerking"]]


def _subject_access_cells(tmp_path: Path) -> list[str]:
    section = Section(title="=Plannen", columns=TYPED, rows=[TYPED])
    content = subject_access_workbook(
        person=Person(), sections=[section], cover=[(t, t) for t in TYPED]
    )
    return _xlsx_text(content)


def _template_cells(tmp_path: Path) -> list[str]:
    cells = []
    for kind in ImportKind.values:
        cells += _xlsx_text(template_xlsx(kind)) + _csv_text(template_csv(kind))
    return cells


PRODUCERS = {
    **{f"export {name}": name for name in sorted(WRITERS)},
    "subject access document": "subject_access",
    "intake list templates": "templates",
}


@pytest.mark.parametrize("producer", PRODUCERS)
def test_no_spreadsheet_cell_runs_a_typed_formula(producer, tmp_path):
    kind = PRODUCERS[producer]
    if kind in STATISTICS_FORMATS:
        # text is data in SPSS and Stata: kept exactly as typed
        assert _export_cells(kind, tmp_path) == ["opmerking", *TYPED]
        return
    if kind in SPREADSHEET_FORMATS:
        cells = _export_cells(kind, tmp_path)
    elif kind == "subject_access":
        cells = _subject_access_cells(tmp_path)
    else:
        cells = _template_cells(tmp_path)
    assert cells
    assert [c for c in cells if c.startswith(DANGEROUS)] == []
    if kind != "templates":  # fixed text: nothing typed reaches them
        shown = {c[1:] for c in cells if c.startswith("'")}
        # XML keeps a carriage return as a line feed or as _x000D_
        assert {_carriage_return(t) for t in TYPED} <= {
            _carriage_return(c) for c in shown
        }


def test_every_export_format_and_every_module_writing_cells_is_checked():
    assert set(WRITERS) == SPREADSHEET_FORMATS | STATISTICS_FORMATS
    folders = {
        Path(config.path)
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(ROOT)
    }
    assert {folder.name for folder in folders} >= {"core", "intake", "dashboards"}
    writing = {
        str(path.relative_to(ROOT))
        for folder in folders
        for path in folder.rglob("*.py")
        if "migrations" not in path.parts and WRITES_CELLS.search(path.read_text())
    }
    assert writing == set(WRITING_MODULES)

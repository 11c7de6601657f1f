"""Reading research export files back the way researchers' tools do:
openpyxl for Excel, GNU PSPP and pyreadstat for SPSS, pyreadstat for Stata."""

from __future__ import annotations

import datetime
import io
import math
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from core.spreadsheets import neutralise
from dashboards.exports.writers import fit

PSPP = shutil.which("pspp") or "/usr/bin/pspp"
MESSAGE = re.compile(r"\b(warning|error)\b", re.IGNORECASE)
MEASURES = {"nominaal": "nominal", "ordinaal": "ordinal", "schaal": "scale"}


def workbook_sheets(content: bytes) -> dict[str, list[tuple]]:
    """Every sheet of an xlsx export as its rows (the header first)."""
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return {
        sheet.title: list(sheet.iter_rows(values_only=True))
        for sheet in workbook.worksheets
    }


def as_dicts(rows: list[tuple]) -> list[dict[str, Any]]:
    header = rows[0]
    return [dict(zip(header, row, strict=False)) for row in rows[1:]]


def pspp_messages(path: Path) -> str:
    """What GNU PSPP says on opening ``path`` and listing its dictionary and
    first cases: every warning or error it prints, else ''."""
    assert Path(PSPP).exists(), "GNU PSPP is needed: apt-get install pspp"
    syntax = path.with_suffix(".sps")
    syntax.write_text(
        f'GET FILE="{path}".\nDISPLAY DICTIONARY.\nLIST /CASES=FROM 1 TO 3.\n',
        encoding="utf-8",
    )
    # the listing goes to a file; what PSPP says about the file comes on the
    # terminal as "warning: ..." or "error: ..." lines
    result = subprocess.run(  # noqa: S603 - fixed program, our own files
        [PSPP, "-o", str(path.with_suffix(".txt")), str(syntax)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    said = f"{result.stdout}\n{result.stderr}".strip()
    if result.returncode != 0:
        return f"exit {result.returncode}: {said}"
    return said if MESSAGE.search(said) else ""


def _same(expected: Any, found: Any) -> bool:
    if expected is None or expected == "":
        return (
            found is None
            or found == ""
            or (isinstance(found, float) and math.isnan(found))
        )
    if isinstance(expected, datetime.datetime):
        expected = expected.date()
    if isinstance(expected, datetime.date):
        if isinstance(found, datetime.datetime):
            found = found.date()
        return found == expected
    if isinstance(expected, (int, float)):
        return isinstance(found, (int, float)) and abs(float(found) - expected) < 1e-9
    return neutralise(str(found)) == expected


def compare_with_workbook(
    archive_bytes: bytes, workbook: dict[str, list[tuple]], suffix: str, folder: Path
) -> list[str]:
    """Every .sav or .dta file of an export against the Excel export of the
    same data: same rows and values, the codebook's labels, value labels,
    measurement levels and missing values. Returns the differences."""
    import pyreadstat

    codebook = {
        (entry["blad"], entry["variabele"]): entry
        for entry in as_dicts(workbook["codebook"])
    }
    labels: dict[tuple[str, str], dict[int, str]] = {}
    for entry in as_dicts(workbook["waardelabels"]):
        labels.setdefault((entry["blad"], entry["variabele"]), {})[entry["code"]] = (
            entry["label"]
        )
    archive = zipfile.ZipFile(io.BytesIO(archive_bytes))
    problems = []
    names = [name for name in archive.namelist() if name.endswith(suffix)]
    assert sorted(name.removesuffix(suffix) for name in names) == sorted(workbook)
    for name in names:
        sheet = name.removesuffix(suffix)
        path = Path(archive.extract(name, path=str(folder)))
        if suffix == ".sav":
            said = pspp_messages(path)
            if said:
                problems.append(f"{name}: PSPP says {said}")
            frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
        else:
            frame, meta = pyreadstat.read_dta(str(path), user_missing=True)
        rows = workbook[sheet]
        header = list(rows[0])
        for variable in header:
            # the sheets describing the file describe no variables themselves
            codebook.setdefault(
                (sheet, variable),
                {
                    "naam_stata": variable,
                    "label": "",
                    "eenheid": "",
                    "type": "code" if variable == "code" else "tekst",
                    "meetniveau": "schaal" if variable == "code" else "nominaal",
                    "ontbrekende_waarden": "",
                },
            )
        stata = {codebook[(sheet, h)]["naam_stata"]: h for h in header}
        found_names = [
            stata.get(column, column) if suffix == ".dta" else column
            for column in frame.columns
        ]
        if found_names != header:
            problems.append(f"{name}: columns {found_names[:5]}... not {header[:5]}")
            continue
        if len(frame) != len(rows) - 1:
            problems.append(f"{name}: {len(frame)} rows, Excel {len(rows) - 1}")
            continue
        for position, (column, variable) in enumerate(
            zip(frame.columns, header, strict=True)
        ):
            entry = codebook[(sheet, variable)]
            expected_label = entry["label"] + (
                f" ({entry['eenheid']})" if entry["eenheid"] else ""
            )
            label = meta.column_names_to_labels.get(column) or ""
            if expected_label and (not label or not expected_label.startswith(label)):
                problems.append(f"{name} {variable}: label {label!r}")
            coded = entry["type"].startswith(("code", "0/1", "ordinale"))
            coded = coded and (sheet, variable) in labels
            if coded:
                found_labels = {
                    int(code): text
                    for code, text in (
                        meta.variable_value_labels.get(column) or {}
                    ).items()
                    if not isinstance(code, str)
                }
                wanted = labels[(sheet, variable)]
                if suffix == ".dta":
                    wanted = {c: fit(t, 80) for c, t in wanted.items()}
                else:
                    wanted = {c: fit(t, 120) for c, t in wanted.items()}
                if found_labels != wanted:
                    problems.append(f"{name} {variable}: value labels {found_labels}")
            declared = meta.missing_ranges.get(column) if suffix == ".sav" else None
            if suffix == ".sav":
                if entry["ontbrekende_waarden"]:
                    if declared != [{"lo": -94.0, "hi": -91.0}]:
                        problems.append(f"{name} {variable}: missing {declared}")
                elif declared:
                    problems.append(f"{name} {variable}: missing {declared}")
                measure = meta.variable_measure.get(column)
                if measure != MEASURES[entry["meetniveau"]]:
                    problems.append(f"{name} {variable}: measure {measure}")
            stata_missing = {"a": -91, "b": -92, "c": -93, "d": -94}
            if sheet == "over_dit_bestand":
                continue  # export number, format and time differ per file
            for index, value in enumerate(frame[column].tolist()):
                if suffix == ".dta" and value in stata_missing:
                    value = stata_missing[value]
                expected = rows[index + 1][position]
                if not _same(expected, value):
                    problems.append(
                        f"{name} {variable} row {index + 1}: {value!r} != {expected!r}"
                    )
                    break
    return problems


#: what Excel refuses in a sheet name (and it allows at most 31 characters)
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
DEFINED_NAME = re.compile(r"^(_xlnm\.)?[A-Za-z_\\][A-Za-z0-9_.\\]*$")
CELL_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def excel_problems(content: bytes) -> list[str]:
    """What would make Excel refuse an xlsx or offer to "repair" it, as far
    as it can be checked without Excel: the package (zip, content types,
    relationships), well-formed XML in every part, sheet and defined names
    Excel accepts, cells in order within Excel's limits, shared-string and
    style indexes that exist, and no formula anywhere (a research export
    holds values only). Returns the problems found."""
    import warnings
    from xml.etree import ElementTree

    problems: list[str] = []
    archive = zipfile.ZipFile(io.BytesIO(content))
    if archive.testzip() is not None:
        return ["a damaged zip member"]
    names = set(archive.namelist())
    for required in ("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml"):
        if required not in names:
            problems.append(f"no {required}")
    parts = {}
    for name in names:
        if name.endswith((".xml", ".rels")):
            try:
                parts[name] = ElementTree.fromstring(archive.read(name))  # noqa: S314
            except ElementTree.ParseError as error:
                problems.append(f"{name}: {error}")
    if problems:
        return problems
    types = parts["[Content_Types].xml"]
    defaults = {e.get("Extension") for e in types.iter(f"{TYPES}Default")}
    overrides = {e.get("PartName") for e in types.iter(f"{TYPES}Override")}
    for name in names:
        if f"/{name}" not in overrides and name.rsplit(".", 1)[-1] not in defaults:
            problems.append(f"{name}: no content type")
    for override in overrides:
        if override.lstrip("/") not in names:
            problems.append(f"content type for a missing part {override}")
    for name, root in parts.items():
        if not name.endswith(".rels"):
            continue
        folder = name.replace("_rels/", "").removesuffix(".rels").rsplit("/", 1)
        base = folder[0] if len(folder) == 2 else ""
        for relation in root.iter(f"{RELS}Relationship"):
            if relation.get("TargetMode") == "External":
                continue
            target = relation.get("Target")
            path = (
                target.lstrip("/")
                if target.startswith("/")
                else (f"{base}/{target}" if base else target)
            )
            if path not in names:
                problems.append(f"{name}: relationship to missing {target}")
    workbook = parts["xl/workbook.xml"]
    seen: set[str] = set()
    for sheet in workbook.iter(f"{MAIN}sheet"):
        title = sheet.get("name") or ""
        if not 0 < len(title) <= 31 or SHEET_NAME_FORBIDDEN.search(title):
            problems.append(f"sheet name {title!r}")
        if title.startswith("'") or title.endswith("'"):
            problems.append(f"sheet name {title!r} in quotes")
        if title.lower() in seen:
            problems.append(f"sheet name {title!r} twice")
        seen.add(title.lower())
    for defined in workbook.iter(f"{MAIN}definedName"):
        name = defined.get("name") or ""
        if not DEFINED_NAME.match(name) or CELL_REF.match(name.upper()):
            problems.append(f"defined name {name!r}")
    strings = parts.get("xl/sharedStrings.xml")
    string_count = len(list(strings.iter(f"{MAIN}si"))) if strings is not None else 0
    styles = parts.get("xl/styles.xml")
    formats = styles.find(f"{MAIN}cellXfs") if styles is not None else None
    format_count = len(list(formats)) if formats is not None else 1
    for name, root in parts.items():
        if not name.startswith("xl/worksheets/sheet"):
            continue
        if next(root.iter(f"{MAIN}f"), None) is not None:
            problems.append(f"{name}: a formula")
        last_row = 0
        for row in root.iter(f"{MAIN}row"):
            number = int(row.get("r") or last_row + 1)
            if number <= last_row or number > 1_048_576:
                problems.append(f"{name}: row {number} out of order")
            last_row, last_column = number, 0
            for cell in row.iter(f"{MAIN}c"):
                match = CELL_REF.match(cell.get("r") or "")
                if not match or int(match.group(2)) != number:
                    problems.append(f"{name}: cell {cell.get('r')} in row {number}")
                    continue
                column = _column_number(match.group(1))
                if column <= last_column or column > 16_384:
                    problems.append(f"{name}: cell {cell.get('r')} out of order")
                last_column = column
                if int(cell.get("s") or 0) >= format_count:
                    problems.append(f"{name}: cell {cell.get('r')} unknown style")
                value = cell.find(f"{MAIN}v")
                kind = cell.get("t") or "n"
                if kind == "s" and (
                    value is None or not 0 <= int(value.text) < string_count
                ):
                    problems.append(f"{name}: cell {cell.get('r')} no such string")
                if kind == "n" and value is not None:
                    try:
                        float(value.text)
                    except (TypeError, ValueError):
                        problems.append(f"{name}: cell {cell.get('r')} not a number")
                text = "".join(cell.itertext())
                if len(text) > 32_767:
                    problems.append(f"{name}: cell {cell.get('r')} too long")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            load_workbook(io.BytesIO(content))
        except Exception as error:  # any complaint is a problem
            problems.append(f"openpyxl: {error}")
    return problems

"""The list templates a user downloads (fixed text only) and the gender
codes they explain.
"""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _g

from core.models import (
    GENDER_IMPORT_CODES,
    Gender,
)
from intake.importers.rows import COLUMNS
from intake.models import (
    ImportKind,
)


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

"""The workbook: every data sheet in order, and the sheets about the file
(about, codebook, value labels).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.utils import timezone

from core.models import Site
from dashboards.exports.codebook import (
    INTEGER,
    MISSING_LABELS,
    STATA_MVDECODE,
    Column,
    pairs,
)
from dashboards.exports.datasets.base import ExportAbout, ExportFilters, Sheet
from dashboards.exports.datasets.bijlage7 import b7_sheet
from dashboards.exports.datasets.cases import intake_cases, intake_stages
from dashboards.exports.datasets.kv import (
    kv_measurements,
    kv_registration,
    registration_sheet,
)
from dashboards.exports.datasets.measurements import person_long, person_wide
from dashboards.exports.datasets.stay_records import (
    activities,
    employment,
    goals,
    incidents,
    job_search,
    partner_roles,
    plans,
    stay_phases,
    stays,
)

#: every data sheet, in the order of the workbook
SHEETS: list[Callable[[ExportFilters], Sheet]] = [
    person_long,
    person_wide,
    kv_registration,
    kv_measurements,
    intake_cases,
    intake_stages,
    stays,
    stay_phases,
    incidents,
    job_search,
    employment,
    plans,
    goals,
    activities,
    partner_roles,
    b7_sheet,
    registration_sheet,
]


def build_sheets(filters: ExportFilters) -> list[Sheet]:
    return [build(filters) for build in SHEETS]


def about_sheet(
    filters: ExportFilters, about: ExportAbout, sheets: list[Sheet]
) -> Sheet:
    """The sheet "over dit bestand": what the file holds, for whom, how."""
    from evaluation.models import CatalogueVersion

    sites = list(Site.objects.filter(pk__in=filters.site_ids).order_by("code"))
    created = about.created_at or timezone.now()
    catalogues = [
        f"{c.site.code}: tabel {c.table} versie {c.version} (geldig vanaf "
        f"{c.valid_from:%d-%m-%Y})"
        for c in CatalogueVersion.objects.filter(site__in=sites)
        .select_related("site")
        .order_by("site__code", "version")
    ]
    rows = [
        ["export", f"onderzoeksexport #{about.number}" if about.number else "-"],
        ["gemaakt_op", timezone.localtime(created).strftime("%d-%m-%Y %H:%M")],
        ["gemaakt_door_rol", about.role or "-"],
        ["formaat", about.format or "-"],
        ["periode_van", filters.period.start.strftime("%d-%m-%Y")],
        ["periode_tot_en_met", filters.period.end.strftime("%d-%m-%Y")],
        ["kvs", "; ".join(f"{s.code} = {s.name}" for s in sites)],
        [
            "datumverschuiving",
            "aan: elke datum van een persoon is met hetzelfde aantal dagen "
            "(1 tot 180 eerder of later) verschoven; duren kloppen"
            if filters.date_shift
            else "uit: datums zijn de geregistreerde datums",
        ],
        ["meetmomenten", ", ".join(filters.moments) or "alle"],
        ["onderwerpen", ", ".join(filters.topics) or "alle"],
        ["catalogusversies", "; ".join(catalogues) or "-"],
        ["applicatieversie", settings.KV_APP_VERSION],
        [
            "ontbrekende_waarden",
            pairs(MISSING_LABELS)
            + "; leeg = niet gevraagd op dit moment of niet gemeten. SPSS: "
            f"gebruikersmissend; Stata: waarden met labels, {STATA_MVDECODE} "
            "maakt er .a-.d van. "
            "De reden dat een datum ontbreekt staat in de kolom <naam>_ontbr.",
        ],
        [
            "codes",
            "Verblijven S…, intakezaken I…, doelen G…: gelijk in elk blad en "
            "elke export, niet herleidbaar tot een dossier.",
        ],
        *[[f"blad_{sheet.name}", sheet.description] for sheet in sheets],
    ]
    return Sheet(
        "over_dit_bestand",
        [Column("onderdeel", "Onderdeel"), Column("waarde", "Waarde")],
        iter(rows),
        "Wat dit bestand bevat en hoe het gemaakt is.",
    )


def codebook_sheet(sheets: list[Sheet]) -> Sheet:
    from dashboards.exports.codebook import CODEBOOK_HEADERS

    return Sheet(
        "codebook",
        [Column(name, name) for name in CODEBOOK_HEADERS],
        (
            column.codebook_row(sheet.name)
            for sheet in sheets
            for column in sheet.columns
        ),
        "Elke variabele van elk blad: label, eenheid, type, meetniveau, waarden.",
    )


def value_labels_sheet(sheets: list[Sheet]) -> Sheet:
    """Every value label of every coded variable, one row per code, the same
    labels as in the codebook and the SPSS and Stata files."""

    def rows() -> Iterator[list[Any]]:
        for sheet in sheets:
            for column in sheet.columns:
                for code, label in column.all_value_labels.items():
                    yield [sheet.name, column.name, code, label]

    return Sheet(
        "waardelabels",
        [
            Column("blad", "Blad"),
            Column("variabele", "Variabele"),
            Column("code", "Code", INTEGER),
            Column("label", "Label"),
        ],
        rows(),
        "Alle waardelabels, één rij per code.",
    )

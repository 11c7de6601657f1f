"""The Bijlage 7 sheet, as the dashboard shows it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from core.models import Site
from dashboards import b7
from dashboards.exports.codebook import (
    INTEGER,
    Column,
)
from dashboards.exports.datasets.base import SITE, ExportFilters, Sheet
from dashboards.scope import Scope


def b7_sheet(filters: ExportFilters) -> Sheet:
    """Bijlage 7 per site, one row per figure, with its N and its source."""
    columns = [
        SITE,
        Column("table", "Tabel"),
        Column("row", "Rij (code)"),
        Column("label", "Rij"),
        Column("value", "Aantal, leeftijd of dagen", INTEGER),
        Column("n", "N (de personen waarover de rij gaat)", INTEGER),
        Column("words", "In jaren (duurrijen)"),
        Column("source", "Bron van het cijfer"),
    ]

    def rows() -> Iterator[list[Any]]:
        for site in Site.objects.filter(pk__in=filters.site_ids).order_by("code"):
            result = b7.b7_tables(
                Scope((site.pk,), filters.period),
                programme=site.alias or site.name,
                plan=site.individual_plan_name or "individuele plan",
            )
            for table in result.tables:
                for section in table.sections:
                    for row in section.rows:
                        first, second = ([*list(row.values), None, None])[:2]
                        yield [
                            site.code,
                            table.title,
                            row.code,
                            row.label,
                            first,
                            len(row.population_ids),
                            second if isinstance(second, str) else "",
                            row.source_note,
                        ]

    return Sheet(
        "bijlage7", columns, rows(), "Bijlage 7 zoals het dashboard die toont."
    )

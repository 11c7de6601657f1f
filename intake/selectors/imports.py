"""Reads for the list import: sites that have not sent a list, and the
cases an import opened.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import (
    QuerySet,
)

from core.models import Site
from intake.models import (
    EntryRoute,
    ImportBatch,
    IntakeCase,
)
from intake.selectors.cases import current_entry_routes


@dataclass
class ListlessSite:
    """A site that takes no lists, and how its candidates come in instead."""

    site: Site
    routes: list[str]


def sites_without_lists(*, sites: QuerySet[Site]) -> list[ListlessSite]:
    """Sites whose current intake process takes no imported list, with the
    routes by which candidates enter there (one query)."""
    routes: dict[int, list[EntryRoute]] = defaultdict(list)
    found = {}
    for route in current_entry_routes(sites=sites).filter(planned_only=False):
        routes[route.process.site_id].append(route)
        found[route.process.site_id] = route.process.site
    return [
        ListlessSite(found[site_id], [r.name for r in site_routes])
        for site_id, site_routes in routes.items()
        if not any(r.importable for r in site_routes)
    ]


def import_opened_cases(batch: ImportBatch) -> QuerySet[IntakeCase]:
    """The intake cases a list import opened, by name."""
    return batch.cases.select_related("person").order_by(
        "person__last_name", "person__first_name"
    )

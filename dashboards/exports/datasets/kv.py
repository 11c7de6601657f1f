"""The KV-level sheets: registration figures, KV measurements and the
registration map.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from core.models import SecurityLevel, Site
from dashboards.exports.codebook import (
    CODE,
    DATE,
    INTEGER,
    Column,
    code_of,
    coded,
)
from dashboards.exports.datasets.base import CHUNK, SITE, ExportFilters, Sheet
from dashboards.exports.datasets.items import _item_positions, _items
from dashboards.exports.datasets.measurements import STATUSES, _place
from dashboards.scope import Scope
from dashboards.selectors.flow import site_summaries
from evaluation.catalogue import current_catalogue
from evaluation.models import (
    TAKEN,
    KvAnswer,
    KvMeasurement,
    MeasurementStatus,
)
from evaluation.registration import (
    registration_map,
    respondent_groups,
)

SECURITY = code_of(SecurityLevel)


def kv_registration(filters: ExportFilters) -> Sheet:
    """Per site: inflow, outflow and occupancy from the registration."""
    columns = [
        SITE,
        Column("site_name", "KV"),
        coded("security_level", "Beveiligingsniveau", SecurityLevel),
        Column("period_start", "Periode van", DATE),
        Column("period_end", "Periode tot en met", DATE),
        Column("inflow", "Plaatsingen in de periode", INTEGER, unit="verblijven"),
        Column("outflow", "Uitstroom in de periode", INTEGER, unit="verblijven"),
        Column(
            "present_at_end", "In de KV op de laatste dag", INTEGER, unit="personen"
        ),
        Column(
            "capacity_at_end",
            "Gerealiseerde plaatsen op de laatste dag",
            INTEGER,
            unit="plaatsen",
        ),
    ]
    scope = Scope(filters.site_ids, filters.period)

    def rows() -> Iterator[list[Any]]:
        summaries = site_summaries(scope)
        for site in Site.objects.filter(pk__in=filters.site_ids).order_by("code"):
            summary = summaries[site.pk]
            yield [
                site.code,
                site.name,
                SECURITY.get(site.security_level),
                filters.period.start,
                filters.period.end,
                summary.inflow,
                summary.outflow,
                summary.present_at_end,
                summary.capacity_at_end,
            ]

    return Sheet(
        "kv_registratie", columns, rows(), "Per KV: in- en uitstroom, bezetting."
    )


#: the respondent group of answers from before the groups existed
UNSPECIFIED_GROUP_CODE = 0


def respondent_group_column() -> Column:
    labels = {UNSPECIFIED_GROUP_CODE: "niet gespecificeerd"}
    labels |= {g.export_code: g.name for g in respondent_groups().values()}
    return Column(
        "respondent_group",
        "Respondentgroep (een rij per KV, periode en respondentgroep; 0 = niet "
        "gespecificeerd: antwoorden van voor de respondentgroepen; leeg = nog "
        "geen antwoorden)",
        CODE,
        value_labels=dict(sorted(labels.items())),
    )


def kv_measurements(filters: ExportFilters) -> Sheet:
    """KV-level measurements (interview topics), one row per site, period and
    respondent group: the answers of different groups are never merged.

    Answers given per KV to items now recorded per person (before catalogue
    version 2) are kept here as they were given.
    """
    period = filters.period
    measured = KvMeasurement.objects.filter(
        site_id__in=filters.site_ids,
        period_start__lte=period.end,
        period_end__gte=period.start,
        status__in=TAKEN,
    )
    earlier = set(
        KvAnswer.objects.filter(kv_measurement__in=measured)
        .exclude(item__recorded_at="kv")
        .values_list("item_id", flat=True)
    )
    variables, items = _items(filters, kv_level=True, extra_item_ids=earlier)
    infos = {info.var: info for info in items.values()}
    item_columns, position = _item_positions(variables, infos)
    columns = [
        SITE,
        Column("period_start", "Periode van", DATE),
        Column("period_end", "Periode tot en met", DATE),
        coded("status", "Status van de meting", MeasurementStatus),
        respondent_group_column(),
        *item_columns,
    ]
    groups = respondent_groups()
    group_codes = {code: g.export_code for code, g in groups.items()}
    group_order = {code: index for index, code in enumerate(["", *groups])}

    def rows() -> Iterator[list[Any]]:
        answers = (
            KvAnswer.objects.filter(kv_measurement__in=measured)
            .order_by("kv_measurement_id")
            .values_list(
                "kv_measurement_id",
                "item_id",
                "value",
                "missing_reason",
                "respondent_group",
            )
            .iterator(chunk_size=CHUNK)
        )
        pending = next(answers, None)
        nothing = datetime.timedelta(0)
        for pk, site, start, end, status in (
            measured.order_by("pk")
            .values_list("pk", "site__code", "period_start", "period_end", "status")
            .iterator(chunk_size=CHUNK)
        ):
            # one measurement's answers: items x groups, a bounded handful
            by_group: dict[str, list[Any]] = {}
            while pending is not None and pending[0] <= pk:
                if pending[0] == pk and pending[1] in items:
                    info = items[pending[1]]
                    values = by_group.setdefault(pending[4], [None] * len(item_columns))
                    _place(
                        values,
                        position,
                        info,
                        pending[2],
                        pending[3],
                        nothing,
                        info.var,
                    )
                pending = next(answers, None)
            head = [site, start, end, STATUSES.get(status)]
            if not by_group:
                yield [*head, None, *([None] * len(item_columns))]
            for group in sorted(by_group, key=lambda g: group_order.get(g, 99)):
                code = group_codes.get(group, UNSPECIFIED_GROUP_CODE)
                yield [*head, code, *by_group[group]]

    return Sheet(
        "kv_metingen",
        columns,
        rows(),
        "Metingen op KV-niveau (interviews over de KV zelf): een rij per KV, "
        "periode en respondentgroep (kolom respondent_group); de antwoorden van "
        "verschillende groepen staan nooit in dezelfde rij.",
    )


def registration_sheet(filters: ExportFilters) -> Sheet:
    """The registration map (research question 3b) per site and topic of the
    current catalogue: how many items are held where and how they reach the
    dataset; the same shares as the page, from the same selector."""
    counts = [
        Column(name, label, INTEGER, unit="items")
        for name, label in (
            ("items", "Items met een waarde"),
            ("held_app", "Vastgelegd in deze applicatie"),
            ("held_external", "Vastgelegd in een extern systeem"),
            ("held_nowhere", "Nergens vastgelegd"),
            ("held_unmapped", "Nog niet in kaart gebracht"),
            ("route_derived", "Afgeleid uit de registratie van deze applicatie"),
            ("route_researcher", "Ingevoerd door de onderzoeker"),
            ("route_external_link", "Overgenomen uit een externe registratie"),
            ("route_unmapped", "Nog niet in kaart gebracht"),
        )
    ]
    columns = [
        SITE,
        Column("catalogue_version", "Catalogusversie", INTEGER),
        Column("topic_code", "Onderwerp (code)"),
        Column("topic", "Onderwerp"),
        *counts,
    ]

    def rows() -> Iterator[list[Any]]:
        sites = Site.objects.filter(pk__in=filters.site_ids).order_by("code")
        codes = {site.pk: site.code for site in sites}
        catalogues = [c for c in map(current_catalogue, sites) if c is not None]
        for site_map in registration_map(catalogues, filters.topics):
            code = codes[site_map.catalogue.site_id]
            for node in site_map.topics:
                yield [
                    code,
                    site_map.catalogue.version,
                    node.code,
                    node.title,
                    node.total,
                    *(share.count for share in node.holder_shares),
                    *(share.count for share in node.route_shares),
                ]

    return Sheet(
        "registratiekaart",
        columns,
        rows(),
        "Wordt deze informatie reeds vastgelegd? Per KV en onderwerp: waar de "
        "items zijn vastgelegd en hoe ze in de dataset komen; per item in het "
        "codeboek (vastgelegd, vastgelegd_in, weg_naar_dataset).",
    )

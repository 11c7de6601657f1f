"""Columns of the catalogue items: one per item, with its value labels."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation

from dashboards.exports.codebook import (
    CODE,
    DATE,
    MISSING_LABELS,
    Column,
    item_kind,
    value_labels_for,
)
from dashboards.exports.datasets.base import ExportFilters
from evaluation.models import (
    AnswerType,
    Item,
)
from evaluation.registration import (
    Holder,
    map_entry,
)


@dataclass
class ItemInfo:
    var: str
    answer_type: str
    choices: list[dict[str, str]]
    moments: tuple[str, ...]
    decimals: int = 0


def _item_columns(column: Column, info: ItemInfo, moment: str = "") -> list[Column]:
    """The column(s) of one item: a date item also gets the column holding
    the reason its date is missing; a free-text item only that column (the
    text may name people and never leaves, the reason it is missing does,
    so completeness per reason can be recomputed)."""
    if info.answer_type not in (AnswerType.DATE, AnswerType.TEXT):
        return [column]
    text = info.answer_type == AnswerType.TEXT
    return [
        *([] if text else [column]),
        Column(
            f"{column.name}_ontbr"[:64],
            f"{column.label}: reden ontbreken"
            + (" (de tekst zelf wordt nooit geëxporteerd)" if text else ""),
            CODE,
            value_labels=dict(MISSING_LABELS),
            missing=False,
            topic=column.topic,
            category=column.category,
            moment=moment or column.moment,
            catalogue_version=column.catalogue_version,
            source=column.source,
            held_by=column.held_by,
            held_in=column.held_in,
            route=column.route,
        ),
    ]


def _items(
    filters: ExportFilters,
    *,
    kv_level: bool,
    extra_item_ids: set[int] | None = None,
) -> tuple[list[Column], dict[int, ItemInfo]]:
    """Exportable catalogue items: one column per variable name.

    Several catalogue versions may hold the same variable; their rows map to
    one column and the codebook names every version. ``extra_item_ids``
    are added whatever their level (KV-level answers given to items that are
    now recorded per person).
    """
    items = (
        Item.objects.filter(catalogue__site_id__in=filters.site_ids)
        .exclude(answer_type=AnswerType.GROUP)
        .select_related("topic", "catalogue__site")
        .order_by(
            "catalogue__site__code", "topic__order", "order", "-catalogue__version"
        )
    )
    if filters.topics:
        items = items.filter(topic__code__in=filters.topics)
    columns: dict[str, Column] = {}
    info: dict[int, ItemInfo] = {}
    for item in items:
        if item.is_kv_level != kv_level and item.pk not in (extra_item_ids or ()):
            continue
        catalogue = item.catalogue
        version = f"{catalogue.site.code} {catalogue.table} v{catalogue.version}"
        moments = item.asked_at(item.topic.category) if not kv_level else ()
        info[item.pk] = ItemInfo(
            item.var, item.answer_type, item.choices, moments, item.decimals
        )
        if item.var in columns:
            if version not in columns[item.var].catalogue_version:
                columns[item.var].catalogue_version += f", {version}"
            continue
        label = item.text
        if item.parent_id is not None:
            label = f"{item.parent.text}: {item.text}"
        kind = item_kind(item.answer_type, item.decimals)
        with translation.override("nl"):
            entry = map_entry(item)
            held_by = str(Holder(entry.holder).label) if entry.holder else ""
            route = str(entry.route_label)
        columns[item.var] = Column(
            name=item.var,
            label=label[:250],
            kind=kind,
            unit=item.unit,
            value_labels=value_labels_for(item.answer_type, item.choices),
            missing=kind != DATE,
            topic=item.topic.title,
            category=item.topic.get_category_display(),
            moment=",".join(moments),
            catalogue_version=version,
            source=(
                f"meting, of registratie ({item.derived_from})"
                if item.derived_from
                else "meting"
            ),
            decimals=item.decimals,
            held_by=held_by,
            held_in=entry.held_in_label,
            route=route,
        )
    return list(columns.values()), info


def _item_positions(
    variables: list[Column], infos: dict[str, ItemInfo]
) -> tuple[list[Column], dict[str, int]]:
    """The columns of the items and where each variable's first column is."""
    columns: list[Column] = []
    position: dict[str, int] = {}
    for variable in variables:
        position[variable.name] = len(columns)
        columns += _item_columns(variable, infos[variable.name])
    return columns, position

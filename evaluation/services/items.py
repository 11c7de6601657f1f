"""The items a measurement asks, as a user recognises them."""

from __future__ import annotations

from django.utils.text import Truncator

from evaluation.models import (
    AnswerType,
    CatalogueVersion,
    Item,
)


def items_for(catalogue: CatalogueVersion, moment: str | None) -> list[Item]:
    """Answerable items of a catalogue at ``moment`` (None: the KV-level items)."""
    items = Item.objects.filter(catalogue=catalogue).select_related("topic", "parent")
    chosen = []
    for item in items:
        if item.is_group:
            continue
        if moment is None:
            if item.is_kv_level:
                chosen.append(item)
        elif not item.is_kv_level and moment in item.asked_at(item.topic.category):
            chosen.append(item)
    return chosen


def item_label(item: Item, length: int = 60) -> str:
    """An item as a user recognises it: its text, shortened."""
    return Truncator(item.text).chars(length)


def answerable(item: Item) -> bool:
    return item.answer_type != AnswerType.GROUP

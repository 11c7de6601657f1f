from __future__ import annotations

import datetime
from typing import Any

from django import template

from evaluation.derived import source_label
from evaluation.models import TIMING_HELP, Timing

register = template.Library()

TIMING_LABELS = dict(Timing.choices)


@register.simple_tag
def timing_label(measurement: Any, today: datetime.date) -> str:
    return str(TIMING_LABELS.get(measurement.timing_on(today), ""))


@register.filter
def label_of(key: str) -> str:
    return str(TIMING_LABELS.get(key, key))


@register.filter
def help_of(key: str) -> str:
    return str(TIMING_HELP.get(key, ""))


@register.filter
def percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.0f}%"


@register.filter
def get_item(mapping: dict, key: str) -> Any:
    return mapping.get(key) if mapping else None


@register.simple_tag
def timing_legend() -> list[tuple[str, str, str]]:
    """(key, label, explanation) of every timing, for a legend."""
    return [
        (str(value), str(label), str(TIMING_HELP.get(value, "")))
        for value, label in Timing.choices
    ]


@register.filter
def derived_source(path: str) -> str:
    return source_label(path) if path else ""

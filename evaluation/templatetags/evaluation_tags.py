from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

TIMING_LABELS = {
    "done": _("complete"),
    "cancelled": _("cancelled"),
    "waiting": _("waiting for outflow"),
    "upcoming": _("upcoming"),
    "due": _("due"),
    "overdue": _("overdue"),
    "missed": _("missed"),
    "incomplete": _("incomplete (window closed)"),
}


@register.simple_tag
def timing_label(measurement: Any, today: datetime.date) -> str:
    return str(TIMING_LABELS.get(measurement.timing_on(today), ""))


@register.filter
def label_of(key: str) -> str:
    return str(TIMING_LABELS.get(key, key))


@register.filter
def percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.0f}%"


@register.filter
def get_item(mapping: dict, key: str) -> Any:
    return mapping.get(key) if mapping else None

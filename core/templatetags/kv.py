"""Template helpers shared by every app's pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from core import source_notes

register = template.Library()


@register.simple_tag(takes_context=True)
def source_note(context: dict[str, Any], text: str) -> str:
    """A reference-data note: with its report references (in Dutch) for a
    functional administrator, without them for everyone else."""
    if not text:
        return ""
    if context.get("nav_is_admin"):
        return format_html(
            '<span class="source">{}</span>', source_notes.for_administrators(text)
        )
    return source_notes.for_readers(text)


@register.simple_tag(takes_context=True)
def curation_note(context: dict[str, Any], text: str) -> str:
    """A note about how the data was transcribed: functional administrators
    only."""
    if not text or not context.get("nav_is_admin"):
        return ""
    return format_html(
        '<span class="source">{}</span>', source_notes.for_administrators(text)
    )

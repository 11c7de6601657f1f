"""Strings Django 5.2 shows in its admin that its own Dutch catalogue lacks.

Marked here so ``makemessages`` puts them in this project's catalogue, which
Django reads before its own (``LOCALE_PATHS``).
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

DJANGO_ADMIN_STRINGS = (
    gettext_noop("Model name"),
    gettext_noop("Change or view list link"),
)

"""The evaluation app's counts in the daily reminder e-mail (core.digest)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext_lazy as _

from core.digest import DigestLine
from core.scoping import RESEARCH_ROLES, site_ids_for
from evaluation.models import Timing
from evaluation.selectors import schedule_counts


def lines(user: AbstractBaseUser) -> list[DigestLine]:
    """Researchers: measurements due (window open) and overdue, the same
    counts as the measurements block of their home page."""
    site_ids = site_ids_for(user, RESEARCH_ROLES)
    if not site_ids:
        return []
    rows = schedule_counts(site_ids=site_ids)
    return [
        DigestLine(
            "measurements_due",
            _("measurements due"),
            sum(row[str(Timing.DUE)] for row in rows),
            "evaluation:index",
        ),
        DigestLine(
            "measurements_overdue",
            _("measurements overdue"),
            sum(row[str(Timing.OVERDUE)] for row in rows),
            "evaluation:index",
        ),
    ]

"""The intake app's count in the daily reminder e-mail (core.digest)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext_lazy as _

from core.digest import DigestLine
from core.scoping import Role, roles_of
from intake.selectors import worklist_page


def lines(user: AbstractBaseUser) -> list[DigestLine]:
    """Casemanagers: intake stages past their due date, as on the home page."""
    if Role.CASEMANAGER not in roles_of(user):
        return []
    return [
        DigestLine(
            "intake_stages_overdue",
            _("intake steps past their due date"),
            worklist_page(user=user, limit=0).overdue,
            "intake:worklist",
        )
    ]

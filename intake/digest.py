"""The intake app's count in the daily reminder e-mail (core.digest)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext_lazy as _

from core.digest import DigestLine
from core.scoping import Role, roles_of
from intake.selectors import overdue_count, worklist


def lines(user: AbstractBaseUser) -> list[DigestLine]:
    """Casemanagers: intake stages past their due date, as on the home page."""
    if Role.CASEMANAGER not in roles_of(user):
        return []
    return [
        DigestLine(
            "intake_stages_overdue",
            _("intake steps past their due date"),
            overdue_count(worklist(user=user)),
            "intake:worklist",
        )
    ]

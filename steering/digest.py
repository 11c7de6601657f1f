"""The steering app's counts in the daily reminder e-mail (core.digest)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.digest import DigestLine
from core.scoping import Role, roles_of
from steering.selectors import open_action_counts


def lines(user: AbstractBaseUser) -> list[DigestLine]:
    """Project leaders: open and overdue follow-up actions of their sites'
    meetings, the numbers of their home page."""
    if Role.PROJECT_LEADER not in roles_of(user):
        return []
    counts = open_action_counts(user=user, today=timezone.localdate())
    return [
        DigestLine(
            "steering_actions_open",
            _("open follow-up actions of meetings"),
            counts["open"],
            "steering:index",
        ),
        DigestLine(
            "steering_actions_overdue",
            _("follow-up actions past their due date"),
            counts["overdue"],
            "steering:index",
        ),
    ]

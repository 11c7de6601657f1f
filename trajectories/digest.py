"""The trajectories app's counts in the daily reminder e-mail (core.digest)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.digest import DigestLine
from core.scoping import CASE_WRITE_ROLES, Role, roles_of
from trajectories.selectors import plan_work_counts


def lines(user: AbstractBaseUser) -> list[DigestLine]:
    """Casemanagers: plan reviews overdue, activities past due and consents
    missing, the numbers of their home page."""
    if Role.CASEMANAGER not in roles_of(user):
        return []
    counts = plan_work_counts(
        user=user, today=timezone.localdate(), roles=CASE_WRITE_ROLES
    )
    return [
        DigestLine(
            "plan_reviews_overdue",
            _("plan reviews overdue"),
            counts["reviews_overdue"],
            "trajectories:worklist",
        ),
        DigestLine(
            "activities_past_due",
            _("activities past their due date"),
            counts["activities_past_due"],
            "trajectories:worklist",
        ),
        DigestLine(
            "consents_missing",
            _("people in a stay without a needed consent"),
            counts["consents_missing"],
            "trajectories:worklist",
        ),
    ]

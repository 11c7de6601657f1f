"""Blocks the steering app adds to the home page and the site page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from core.models import Site
from core.registry import Section
from core.scoping import Role, site_ids_for
from steering.selectors import STEERING_READ_ROLES, last_meeting, open_actions

#: open actions listed on the home page; the rest behind "all open actions"
HOME_ACTIONS = 10


def home(request: HttpRequest, obj: Any = None) -> Section | None:
    """A project leader's open follow-up actions and the last meeting."""
    site_ids = site_ids_for(request.user, {Role.PROJECT_LEADER})
    if not site_ids:
        return None
    today = timezone.localdate()
    actions = open_actions(user=request.user, roles={Role.PROJECT_LEADER})
    shown = list(actions[: HOME_ACTIONS + 1])
    return Section(
        template="steering/partials/_home.html",
        context={
            "actions": shown[:HOME_ACTIONS],
            "more": len(shown) > HOME_ACTIONS,
            "overdue": actions.filter(due_on__lt=today).count(),
            "total": actions.count() if len(shown) > HOME_ACTIONS else len(shown),
            "last_meeting": last_meeting(site_ids=site_ids),
            "today": today,
        },
        order=8,
    )


def site(request: HttpRequest, obj: Site) -> Section | None:
    if obj.pk not in site_ids_for(request.user, STEERING_READ_ROLES):
        return None
    return Section(
        template="steering/partials/_site.html", context={"site": obj}, order=30
    )

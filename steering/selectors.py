"""Reads of meetings, actions and forecasts, always through the scoping layer."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from core.models import Site
from core.scoping import Role
from steering.models import (
    DEFAULT_ALERT_MONTHS,
    DEFAULT_ALERT_SHARE_PERCENT,
    Action,
    ForecastAlertRule,
    ForecastVersion,
    Meeting,
)

#: who reads meetings, decisions, actions and forecasts
STEERING_READ_ROLES = frozenset(
    {Role.PROJECT_LEADER, Role.CASEMANAGER, Role.RESEARCHER}
)
#: who records meetings, decisions and actions
STEERING_WRITE_ROLES = frozenset({Role.PROJECT_LEADER, Role.CASEMANAGER})
#: who sets the forecast and its warning rule
FORECAST_WRITE_ROLES = frozenset({Role.PROJECT_LEADER})
#: who sees names of people in intake cases linked to decisions
NAMED_CASE_ROLES = frozenset({Role.PROJECT_LEADER, Role.CASEMANAGER})


def meeting_list(*, user: AbstractBaseUser, site: Site) -> QuerySet[Meeting]:
    return (
        Meeting.objects.visible_to(user, STEERING_READ_ROLES)
        .filter(site=site)
        .select_related("kind")
        .order_by("-held_on", "-pk")
    )


def open_actions(
    *, user: AbstractBaseUser, roles: Iterable[str] = STEERING_READ_ROLES
) -> QuerySet[Action]:
    """Actions not yet done at the user's sites, earliest due date first."""
    return (
        Action.objects.visible_to(user, roles)
        .filter(done_on__isnull=True)
        .select_related("meeting__kind", "meeting__site", "owner")
        .order_by("due_on", "pk")
    )


def open_action_counts(
    *, user: AbstractBaseUser, today: datetime.date
) -> dict[str, int]:
    """Open actions at the project leader's sites and how many are overdue;
    the numbers of the home page and the reminder e-mail."""
    actions = open_actions(user=user, roles={Role.PROJECT_LEADER})
    return {
        "open": actions.count(),
        "overdue": actions.filter(due_on__lt=today).count(),
    }


def last_meeting(*, site_ids: Iterable[int]) -> Meeting | None:
    return (
        Meeting.objects.filter(site_id__in=list(site_ids))
        .select_related("kind", "site")
        .order_by("-held_on", "-pk")
        .first()
    )


@dataclass(frozen=True)
class AlertRule:
    share_percent: int
    months: int
    configured: bool


def alert_rule(site_id: int) -> AlertRule:
    """The site's warning rule, or the default when it has none."""
    rule = ForecastAlertRule.objects.filter(site_id=site_id).first()
    if rule is None:
        return AlertRule(DEFAULT_ALERT_SHARE_PERCENT, DEFAULT_ALERT_MONTHS, False)
    return AlertRule(rule.share_percent, rule.months, True)


def alert_rules(site_ids: Iterable[int]) -> dict[int, AlertRule]:
    """Every site's warning rule in one query."""
    ids = list(site_ids)
    found = {
        rule.site_id: AlertRule(rule.share_percent, rule.months, True)
        for rule in ForecastAlertRule.objects.filter(site_id__in=ids)
    }
    default = AlertRule(DEFAULT_ALERT_SHARE_PERCENT, DEFAULT_ALERT_MONTHS, False)
    return {site_id: found.get(site_id, default) for site_id in ids}


def forecast_versions(site_ids: Iterable[int]) -> dict[int, list[ForecastVersion]]:
    """Each site's forecast versions, oldest first, in one query."""
    found: dict[int, list[ForecastVersion]] = {site_id: [] for site_id in site_ids}
    for version in ForecastVersion.objects.filter(site_id__in=list(found)).order_by(
        "site_id", "valid_from", "version"
    ):
        found[version.site_id].append(version)
    return found


def forecast_on(
    versions: list[ForecastVersion], day: datetime.date
) -> ForecastVersion | None:
    """The version in force on ``day`` (the latest that started by then)."""
    current = None
    for version in versions:
        if version.valid_from <= day:
            current = version
    return current

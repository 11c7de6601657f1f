"""Blocks the evaluation app adds to the shared site and person pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from core.registry import Section
from core.scoping import CASE_READ_ROLES, DASHBOARD_ROLES, RESEARCH_ROLES, site_ids_for
from evaluation.selectors import (
    measurement_search,
    measurements_for_person,
    schedule_counts,
)


def home(request: HttpRequest, obj: Any = None) -> Section | None:
    """Due, overdue and missed measurements per site, for whoever plans them."""
    from evaluation.views import SCHEDULE_ROLES

    site_ids = site_ids_for(request.user, SCHEDULE_ROLES)
    if not site_ids:
        return None
    return Section(
        template="evaluation/partials/_home_schedule.html",
        context={"rows": schedule_counts(site_ids=site_ids)},
        order=60,
    )


def site(request: HttpRequest, obj: Any) -> Section | None:
    """Links to the site's catalogue, schedule, completeness and KV measurements."""
    from evaluation.views import SCHEDULE_ROLES

    user = request.user
    return Section(
        template="evaluation/partials/_site_links.html",
        context={
            "site": obj,
            "schedule": obj.pk in site_ids_for(user, SCHEDULE_ROLES),
            "completeness": obj.pk in site_ids_for(user, DASHBOARD_ROLES),
            "kv": obj.pk in site_ids_for(user, RESEARCH_ROLES),
        },
        order=80,
    )


def person(request: HttpRequest, obj: Any) -> Section | None:
    """The measurement schedule of the person's stays (status only)."""
    if obj.site_id not in site_ids_for(request.user, CASE_READ_ROLES):
        return None
    measurements = measurements_for_person(person=obj)
    return Section(
        template="evaluation/partials/_person_schedule.html",
        context={"measurements": measurements, "today": timezone.localdate()},
        order=80,
    )


SEARCH_LIMIT = 20


def search(request: HttpRequest, text: str) -> Section | None:
    """A researcher finds the measurements of a pseudonym (never by name)."""
    if not site_ids_for(request.user, RESEARCH_ROLES):
        return None
    found = list(measurement_search(user=request.user, text=text)[: SEARCH_LIMIT + 1])
    return Section(
        template="evaluation/partials/_search_measurements.html",
        context={
            "measurements": found[:SEARCH_LIMIT],
            "more": len(found) > SEARCH_LIMIT,
        },
        order=30,
    )

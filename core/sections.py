"""Blocks core adds to shared pages: the people found by the header search."""

from __future__ import annotations

from django.http import HttpRequest

from core.models import Person
from core.registry import Section
from core.scoping import CASE_READ_ROLES, site_ids_for
from core.selectors import person_search
from core.statuses import person_status_choices, with_status

SEARCH_LIMIT = 20


def search(request: HttpRequest, text: str) -> Section | None:
    """People by name or DJI number, for the roles that may see names."""
    if not site_ids_for(request.user, CASE_READ_ROLES):
        return None
    people = person_search(
        with_status(
            Person.objects.visible_to(request.user, CASE_READ_ROLES).select_related(
                "site"
            )
        ),
        text,
        researcher=False,
    ).order_by("last_name", "first_name", "pk")
    found = list(people[: SEARCH_LIMIT + 1])
    return Section(
        template="core/partials/_search_people.html",
        context={
            "people": found[:SEARCH_LIMIT],
            "more": len(found) > SEARCH_LIMIT,
            "statuses": dict(person_status_choices()),
        },
        order=10,
    )

"""Which sites a user's dashboards cover and how people are shown to them."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from core.models import Person, Site
from core.scoping import CASE_READ_ROLES, RESEARCH_ROLES, site_ids_for

User = AbstractBaseUser | AnonymousUser

#: who may open the list of cases behind a number
CASE_LIST_ROLES = CASE_READ_ROLES | RESEARCH_ROLES


def dashboard_sites(user: User, roles: frozenset[str]) -> QuerySet[Site]:
    return Site.objects.visible_to(user, roles).order_by("name")


def case_list_page(
    user: User, person_ids: QuerySet | set[int], page_number: str | None
) -> tuple[Page, set[int]]:
    """One page of the people behind a number, and the ids whose names may show.

    Names are read only for people at sites where the user is casemanager or
    project leader; everyone else is shown by pseudonym, and for them no
    identifying column is even selected.
    """
    named_sites = site_ids_for(user, CASE_READ_ROLES)
    people = (
        Person.objects.filter(pk__in=person_ids)
        .visible_to(user, CASE_LIST_ROLES)
        .order_by("pseudonym")
        .values("pk", "pseudonym", "site_id", "site__name")
    )
    page = Paginator(people, 100).get_page(page_number)
    named_ids = [row["pk"] for row in page.object_list if row["site_id"] in named_sites]
    names = {
        pk: f"{last}, {first}"
        for pk, first, last in Person.objects.filter(pk__in=named_ids).values_list(
            "pk", "first_name", "last_name"
        )
    }
    for row in page.object_list:
        row["name"] = names.get(row["pk"], "")
    return page, set(names)

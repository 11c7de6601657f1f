"""Which sites a user's dashboards cover and how people are shown to them."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet

from core.models import Person, Site
from core.scoping import CASE_READ_ROLES, RESEARCH_ROLES, site_ids_for

User = AbstractBaseUser | AnonymousUser

#: who may open the list of cases behind a number
CASE_LIST_ROLES = CASE_READ_ROLES | RESEARCH_ROLES


def dashboard_sites(user: User, roles: frozenset[str]) -> QuerySet[Site]:
    return Site.objects.visible_to(user, roles).order_by("name")


def case_list_page(
    user: User, rows: QuerySet, person: str, page_number: str | None
) -> tuple[Page, set[int]]:
    """One page of the records behind a number, and the people whose names may show.

    ``rows`` are the counted records (stays, cases, measurements...) and
    ``person`` the lookup from a record to its person: the list has one line
    per record, so its length is the number on the dashboard. Names are read
    only for people at sites where the user is casemanager or project
    leader; everyone else is shown by pseudonym, and for them no identifying
    column is even selected.
    """
    named_sites = site_ids_for(user, CASE_READ_ROLES)
    visible = Person.objects.visible_to(user, CASE_LIST_ROLES)
    lines = (
        rows.filter(**{f"{person}__in": visible})
        .order_by(f"{person}__pseudonym", "pk")
        .values(
            person_pk=F(person),
            pseudonym_of_person=F(f"{person}__pseudonym"),
            site_of_person=F(f"{person}__site_id"),
            site_name_of_person=F(f"{person}__site__name"),
        )
    )
    page = Paginator(lines, 100).get_page(page_number)
    named_ids = {
        row["person_pk"]
        for row in page.object_list
        if row["site_of_person"] in named_sites
    }
    names = {
        pk: f"{last}, {first}"
        for pk, first, last in Person.objects.filter(pk__in=named_ids).values_list(
            "pk", "first_name", "last_name"
        )
    }
    for row in page.object_list:
        row["name"] = names.get(row["person_pk"], "")
    return page, set(names)

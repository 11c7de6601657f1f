"""Reads shared by views: scoped querysets for people and sites."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from core.filters import PersonFilter
from core.models import CapacityPeriod, Person, PlaceType, Site
from core.scoping import CASE_READ_ROLES, REFERENCE_ROLES
from core.search import (
    MAX_SEARCH_WORDS,
    bounded_search,
    search_text,
    search_words,
    words_filter,
)
from core.statuses import with_status

#: what a search for people looks in, by whom
NAME_FIELDS = ("first_name", "last_name", "dji_number")
RESEARCH_FIELDS = ("pseudonym",)


def person_search(
    queryset: QuerySet, text: str, *, researcher: bool, path: str = ""
) -> QuerySet:
    """Rows of an already scoped ``queryset`` whose person matches ``text``.

    One query whatever the text, at most ``MAX_SEARCH_WORDS`` words:

    - "Achternaam, Voornaam": words before the comma in the last name, words
      after it in the first name;
    - "Voornaam Achternaam" (any order), a DJI number or part of one: every
      word in the first name, last name or DJI number;
    - a researcher searches by pseudonym only, never by name or DJI number.

    ``path`` leads from the queryset's model to the person (``"person__"``
    for intake cases); empty for a queryset of people.
    """
    if researcher:
        return bounded_search(queryset, text, [f"{path}{f}" for f in RESEARCH_FIELDS])
    text = search_text(text)
    if "," not in text:
        return bounded_search(queryset, text, [f"{path}{f}" for f in NAME_FIELDS])
    last, first = text.split(",", 1)
    last_words = search_words(last)
    first_words = search_words(first, limit=MAX_SEARCH_WORDS - len(last_words))
    if not last_words and not first_words:
        return queryset
    condition = Q(words_filter(last_words, [f"{path}last_name"])) & Q(
        words_filter(first_words, [f"{path}first_name"])
    )
    return queryset.filter(condition)


def person_list(
    *, user: AbstractBaseUser | AnonymousUser, filters: dict[str, Any] | None = None
) -> QuerySet[Person]:
    people = with_status(
        Person.objects.visible_to(user, CASE_READ_ROLES).select_related("site")
    )
    return PersonFilter(filters, people, request_user=user).qs


def site_list(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Site]:
    return Site.objects.visible_to(user, REFERENCE_ROLES)


def place_types_with_capacity(
    *, site: Site | int, day: datetime.date | None
) -> QuerySet[PlaceType]:
    """The site's place types with realised capacity on ``day`` (Krimpen from
    May 2020: only the closed places of DC IIa), or on any day for None.
    Planned rows do not count. Each carries its realised periods as
    ``realised``."""
    site_id = site if isinstance(site, int) else site.pk
    realised = CapacityPeriod.objects.filter(planned=False)
    periods = realised.filter(place_type=OuterRef("pk"))
    if day is not None:
        periods = periods.filter(valid_from__lte=day).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )
    return (
        PlaceType.objects.filter(site_id=site_id)
        .filter(Exists(periods))
        .prefetch_related(
            Prefetch(
                "capacity_periods",
                queryset=realised.order_by("valid_from"),
                to_attr="realised",
            )
        )
        .order_by("code")
    )

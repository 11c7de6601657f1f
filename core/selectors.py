"""Reads shared by views: scoped querysets for people and sites."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from core.filters import PersonFilter
from core.models import Person, Site
from core.scoping import CASE_READ_ROLES, REFERENCE_ROLES


def person_list(
    *, user: AbstractBaseUser | AnonymousUser, filters: dict[str, Any] | None = None
) -> QuerySet[Person]:
    people = Person.objects.visible_to(user, CASE_READ_ROLES).select_related("site")
    return PersonFilter(filters, people, request_user=user).qs


def site_list(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Site]:
    return Site.objects.visible_to(user, REFERENCE_ROLES)

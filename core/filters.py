from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.models import Person, Site
from core.scoping import CASE_READ_ROLES
from core.statuses import person_status_choices


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("search"))
    site = django_filters.ModelChoiceFilter(
        queryset=Site.objects.none(), label=_("site")
    )
    # Filters the ``status`` annotation of core.statuses.with_status.
    status = django_filters.ChoiceFilter(
        choices=person_status_choices, label=_("status"), field_name="status"
    )

    class Meta:
        model = Person
        fields = ["q", "site", "status", "gender"]

    def __init__(self, *args: Any, request_user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if request_user is not None:
            self.filters["site"].queryset = Site.objects.visible_to(
                request_user, CASE_READ_ROLES
            )

    def search(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet:
        from core.selectors import person_search

        return person_search(queryset, value, researcher=False)

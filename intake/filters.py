from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.models import Site
from core.scoping import CASE_READ_ROLES
from core.selectors import person_search
from intake.models import (
    PASSED_OUTCOMES,
    EndReasonCode,
    EntryRoute,
    IntakeCase,
    IntakeOutcome,
    IntakeStageDefinition,
    StageOutcome,
)

#: a stage passed: recorded as completed or positive (``PASSED_OUTCOMES``,
#: defined with the models); failed: negative
FAILED_OUTCOMES = [StageOutcome.NEGATIVE]


class IntakeCaseFilter(django_filters.FilterSet):
    """Case list filters; the funnel links to the list with these parameters."""

    q = django_filters.CharFilter(method="search", label=_("search"))
    site = django_filters.ModelChoiceFilter(
        queryset=Site.objects.none(), label=_("site"), to_field_name="code"
    )
    outcome = django_filters.ChoiceFilter(
        choices=IntakeOutcome.choices, label=_("outcome")
    )
    opened_from = django_filters.DateFilter(
        field_name="opened_on", lookup_expr="gte", label=_("opened from")
    )
    opened_to = django_filters.DateFilter(
        field_name="opened_on", lookup_expr="lte", label=_("opened until")
    )
    # Routes and stages are chosen by name; the funnel's links carry their
    # codes, which are the same across a site's process versions.
    route = django_filters.ChoiceFilter(
        field_name="entry_route__code", label=_("entry route")
    )
    reached = django_filters.ChoiceFilter(
        method="filter_reached", label=_("reached stage")
    )
    passed = django_filters.ChoiceFilter(
        method="filter_passed", label=_("passed stage")
    )
    failed = django_filters.ChoiceFilter(
        method="filter_failed", label=_("failed stage")
    )
    reason = django_filters.ChoiceFilter(
        choices=EndReasonCode.choices,
        method="filter_reason",
        label=_("end reason"),
    )

    class Meta:
        model = IntakeCase
        fields = ["q", "site", "outcome", "opened_from", "opened_to", "route"]

    def __init__(self, *args: Any, request_user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if request_user is not None:
            self.filters["site"].queryset = Site.objects.visible_to(
                request_user, CASE_READ_ROLES
            )
            routes = _named_codes(
                EntryRoute.objects.visible_to(request_user, CASE_READ_ROLES)
            )
            stages = _named_codes(
                IntakeStageDefinition.objects.visible_to(request_user, CASE_READ_ROLES)
            )
            self.filters["route"].extra["choices"] = routes
            for name in ("reached", "passed", "failed"):
                self.filters[name].extra["choices"] = stages

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return person_search(queryset, value, researcher=False, path="person__")

    def filter_reached(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # got at least this far, as the funnel counts (IntakeCaseQuerySet)
        return queryset.reaching(code=value)

    def filter_passed(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.with_stage(PASSED_OUTCOMES, code=value)

    def filter_failed(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.with_stage(FAILED_OUTCOMES, code=value)

    def filter_reason(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(end_reasons__code=value).distinct()


def _named_codes(queryset: QuerySet) -> Any:
    """(code, name) choices, one per code, names of all versions joined; a
    callable so the query runs once, and only when the choices are used."""

    found: list[tuple[str, str]] = []

    def choices() -> list[tuple[str, str]]:
        if not found:
            found.extend(_read(queryset))
        return found

    return choices


def _read(queryset: QuerySet) -> list[tuple[str, str]]:
    names: dict[str, list[str]] = {}
    for code, name in queryset.values_list("code", "name").order_by("name"):
        if name not in names.setdefault(code, []):
            names[code].append(name)
    return sorted(
        ((code, " / ".join(found)) for code, found in names.items()),
        key=lambda choice: choice[1].lower(),
    )

"""Fetching the stay or plan a view works on, through the scoping layer."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from core.scoping import (
    CASE_WRITE_ROLES,
    Role,
    get_visible_or_404,
)
from trajectories.models import (
    IndividualPlan,
    Stay,
)

OCCUPANCY_ROLES = frozenset({Role.CASEMANAGER, Role.PROJECT_LEADER, Role.RESEARCHER})


def visible_stay(request: HttpRequest, pk: int, roles: Any = CASE_WRITE_ROLES) -> Stay:
    return get_visible_or_404(
        Stay.objects.select_related("person", "site", "place_type"),
        request.user,
        roles,
        pk=pk,
    )


def visible_plan(
    request: HttpRequest, pk: int, roles: Any = CASE_WRITE_ROLES
) -> IndividualPlan:
    return get_visible_or_404(
        IndividualPlan.objects.select_related("stay__person", "stay__site"),
        request.user,
        roles,
        pk=pk,
    )

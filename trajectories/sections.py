"""Blocks this app adds to the home, person and site pages (core.registry)."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Subquery
from django.http import HttpRequest
from django.utils import timezone

from core.models import Person, Site
from core.registry import Section
from core.scoping import (
    CASE_READ_ROLES,
    CASE_WRITE_ROLES,
    REFERENCE_ROLES,
    Role,
    roles_of,
    site_ids_for,
)
from core.service_forms import can_edit
from trajectories import selectors
from trajectories.models import IndividualPlan, PlanFormDefinition, Stay
from trajectories.views.base import OCCUPANCY_ROLES


def home(request: HttpRequest, obj: Any = None) -> Section | None:
    """Counts of the casemanager's worklists (nine queries)."""
    if Role.CASEMANAGER not in roles_of(request.user):
        return None
    return Section(
        "trajectories/partials/_home_worklist.html",
        selectors.plan_work_counts(
            user=request.user, today=timezone.localdate(), roles=CASE_WRITE_ROLES
        ),
        order=20,
    )


def person(request: HttpRequest, obj: Person) -> Section | None:
    if obj.site_id not in site_ids_for(request.user, CASE_READ_ROLES):
        return None
    plans = IndividualPlan.objects.filter(stay=OuterRef("pk")).values("pk")[:1]
    stays = (
        Stay.objects.filter(person=obj)
        .select_related("place_type")
        .annotate(plan_pk=Subquery(plans))
    )
    stays = list(stays)
    return Section(
        "trajectories/partials/_person_stays.html",
        {
            "person": obj,
            "stays": stays,
            "can_edit": can_edit(request.user, obj.site_id),
            # placed already: no second placement is offered
            "open_stay": next((s for s in stays if s.ended_on is None), None),
        },
        order=20,
    )


def site(request: HttpRequest, obj: Site) -> Section | None:
    if obj.pk not in site_ids_for(request.user, REFERENCE_ROLES):
        return None
    definition = (
        PlanFormDefinition.objects.filter(site=obj).prefetch_related("domains").first()
    )
    return Section(
        "trajectories/partials/_site_programme.html",
        {
            "site": obj,
            "definition": definition,
            "phases": list(obj.programme_phases.all()),
            "work_rules": list(obj.work_rules.all()),
            "can_see_occupancy": obj.pk in site_ids_for(request.user, OCCUPANCY_ROLES),
        },
        order=30,
    )

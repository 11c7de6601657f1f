"""Blocks this app adds to the person and site pages (core.registry)."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest

from core.models import Person, Site
from core.registry import Section
from core.scoping import CASE_READ_ROLES, REFERENCE_ROLES, site_ids_for
from partners.models import CaseRole, NetworkMember, ResponsibilityTable
from partners.selectors import consent_warnings


def person(request: HttpRequest, obj: Person) -> Section | None:
    """Who plays which role, with the consent warnings beside them."""
    if obj.site_id not in site_ids_for(request.user, CASE_READ_ROLES):
        return None
    roles = (
        CaseRole.objects.filter(person=obj, ended_on__isnull=True)
        .select_related("organisation", "contact")
        .order_by("role")
    )
    return Section(
        "partners/partials/_person_partners.html",
        {
            "person": obj,
            "roles": list(roles),
            "warnings": consent_warnings(person=obj),
            "network_count": NetworkMember.objects.filter(person=obj).count(),
        },
        order=30,
    )


def site(request: HttpRequest, obj: Site) -> Section | None:
    if obj.pk not in site_ids_for(request.user, REFERENCE_ROLES):
        return None
    tables = ResponsibilityTable.objects.filter(site=obj).annotate(
        row_count=Count("rows")
    )
    return Section(
        "partners/partials/_site_responsibilities.html",
        {"site": obj, "tables": list(tables)},
        order=40,
    )

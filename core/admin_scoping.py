"""Site scoping for the Django admin.

Functional administrators hold their role per site, so in the admin they see
and change only the reference rows of those sites, and can offer only those
sites in foreign-key choices. Every registered ModelAdmin whose model declares
``site_lookup`` is scoped this way (``scope_registered_admins``), so an app
registering a new reference model cannot forget it. Superusers see everything.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.sites import AdminSite
from django.db import models
from django.http import HttpRequest

from core.scoping import Role, site_ids_for

ADMIN_ROLES = frozenset({Role.FUNCTIONAL_ADMIN})


def _scoped(queryset: models.QuerySet, request: HttpRequest) -> models.QuerySet:
    if request.user.is_superuser:
        return queryset
    lookup = queryset.model.site_lookup
    return queryset.filter(**{f"{lookup}__in": site_ids_for(request.user, ADMIN_ROLES)})


class SiteScopedAdminMixin:
    """Limits rows and foreign-key choices to the administrator's sites."""

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return _scoped(super().get_queryset(request), request)

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> Any:
        related = db_field.related_model
        if hasattr(related, "site_lookup") and "queryset" not in kwargs:
            kwargs["queryset"] = _scoped(related._default_manager.all(), request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def scope_registered_admins(site: AdminSite = admin.site) -> None:
    """Re-register every site-bound ModelAdmin (and its inlines) with scoping."""
    for model, model_admin in list(site._registry.items()):
        admin_class = type(model_admin)
        inlines = [
            inline
            if issubclass(inline, SiteScopedAdminMixin)
            or not hasattr(inline.model, "site_lookup")
            else type(inline.__name__, (SiteScopedAdminMixin, inline), {})
            for inline in admin_class.inlines
        ]
        needs_scope = hasattr(model, "site_lookup") and not issubclass(
            admin_class, SiteScopedAdminMixin
        )
        if not needs_scope and inlines == list(admin_class.inlines):
            continue
        bases = (SiteScopedAdminMixin, admin_class) if needs_scope else (admin_class,)
        scoped = type(admin_class.__name__, bases, {"inlines": inlines})
        site.unregister(model)
        site.register(model, scoped)

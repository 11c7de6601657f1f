"""Site scoping and auditing for the Django admin.

Functional administrators hold their role per site. In the admin they see and
change only the reference rows that belong to their own sites: a row whose
sites (``site_lookup``, or ``admin_sites_lookup`` for rows shared through a
many-to-many relation such as a partner organisation) are all among theirs.
A row of another site, of several sites including another one, or of no
site at all (a national organisation, a goal domain every site uses) is
shared: only the superuser changes it. Foreign-key and many-to-many choices
offer their own sites' rows and shared ones. A model with no site at all is
the superuser's. Nobody but the superuser creates or deletes a site.

Every change saved in the admin goes to the audit log with its old and new
values (``core.admin_audit``). ``scope_registered_admins`` applies all of
this to every registered ModelAdmin, so an app registering a new model
cannot forget it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.sites import AdminSite
from django.db import models
from django.http import HttpRequest

from core.admin_audit import AuditedAdminMixin
from core.scoping import Role, site_ids_for

ADMIN_ROLES = frozenset({Role.FUNCTIONAL_ADMIN})


def sites_path(model: type[models.Model]) -> str | None:
    """The ORM path from ``model`` to the sites its rows belong to."""
    return getattr(model, "admin_sites_lookup", None) or getattr(
        model, "site_lookup", None
    )


def superuser_only(model: type[models.Model], admin_class: type | None = None) -> bool:
    """A model with no site: its rows are everybody's, so the superuser's
    (unless its ModelAdmin scopes itself, ``scopes_itself = True``)."""
    return sites_path(model) is None and not getattr(
        admin_class, "scopes_itself", False
    )


def _site_model() -> type[models.Model]:
    from core.models import Site

    return Site


def owned_rows(queryset: models.QuerySet, request: HttpRequest) -> models.QuerySet:
    """Rows all of whose sites are the administrator's (at least one)."""
    if request.user.is_superuser:
        return queryset
    path = sites_path(queryset.model)
    if path is None:
        return queryset.none()
    mine = site_ids_for(request.user, ADMIN_ROLES)
    others = _site_model().objects.exclude(pk__in=mine)
    lookup = f"{path}__in" if path != "pk" else "pk__in"
    return queryset.filter(**{lookup: mine}).exclude(**{lookup: others}).distinct()


def usable_rows(queryset: models.QuerySet, request: HttpRequest) -> models.QuerySet:
    """Rows an administrator may choose: their sites' and, for rows shared
    through a many-to-many relation, the shared ones."""
    if request.user.is_superuser:
        return queryset
    model = queryset.model
    mine = site_ids_for(request.user, ADMIN_ROLES)
    shared_path = getattr(model, "admin_sites_lookup", None)
    if shared_path:
        others = _site_model().objects.exclude(pk__in=mine)
        exclusive_elsewhere = queryset.filter(**{f"{shared_path}__in": others}).exclude(
            **{f"{shared_path}__in": mine}
        )
        return queryset.exclude(pk__in=exclusive_elsewhere.values("pk"))
    path = getattr(model, "site_lookup", None)
    if path is None:
        return queryset
    return queryset.filter(**{f"{path}__in": mine})


class SiteScopedAdminMixin:
    """Limits rows to the administrator's own and choices to usable ones."""

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return owned_rows(super().get_queryset(request), request)

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> Any:
        related = db_field.related_model
        if sites_path(related) and "queryset" not in kwargs:
            kwargs["queryset"] = usable_rows(related._default_manager.all(), request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(
        self, db_field: models.ManyToManyField, request: HttpRequest, **kwargs: Any
    ) -> Any:
        related = db_field.related_model
        if sites_path(related) and "queryset" not in kwargs:
            kwargs["queryset"] = usable_rows(related._default_manager.all(), request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class SuperuserOnlyAdminMixin:
    """Shared rows without a site: for the superuser only."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)


def _scoped_inline(inline: type) -> type:
    if issubclass(inline, SiteScopedAdminMixin) or not sites_path(inline.model):
        return inline
    return type(inline.__name__, (SiteScopedAdminMixin, inline), {})


def scope_registered_admins(site: AdminSite = admin.site) -> None:
    """Re-register every ModelAdmin with scoping and auditing."""
    for model, model_admin in list(site._registry.items()):
        admin_class = type(model_admin)
        mixins: list[type] = []
        if not issubclass(admin_class, AuditedAdminMixin):
            mixins.append(AuditedAdminMixin)
        if superuser_only(model, admin_class):
            if not issubclass(admin_class, SuperuserOnlyAdminMixin):
                mixins.append(SuperuserOnlyAdminMixin)
        elif sites_path(model) and not issubclass(admin_class, SiteScopedAdminMixin):
            mixins.append(SiteScopedAdminMixin)
        inlines = [_scoped_inline(inline) for inline in admin_class.inlines]
        if not mixins and inlines == list(admin_class.inlines):
            continue
        scoped = type(
            admin_class.__name__, (*mixins, admin_class), {"inlines": inlines}
        )
        site.unregister(model)
        site.register(model, scoped)

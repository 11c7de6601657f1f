"""Admin for reference data and user access only; case data is edited in the app."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.accounts import managed_users
from core.models import (
    AuditEvent,
    CapacityPeriod,
    CriteriaVersion,
    Criterion,
    Membership,
    PlaceType,
    Site,
    SiteStatusPeriod,
)
from core.services import membership_change, membership_grant, membership_revoke

admin.site.site_header = _("KV Monitor administration")
admin.site.site_title = _("KV Monitor")


class SiteStatusPeriodInline(admin.TabularInline):
    model = SiteStatusPeriod
    extra = 0


class PlaceTypeInline(admin.TabularInline):
    model = PlaceType
    extra = 0


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("name", "alias", "host_pi", "security_level", "legal_status")
    inlines = [SiteStatusPeriodInline, PlaceTypeInline]

    # A new KV, or the end of one, is the programme's decision: superuser only.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


@admin.register(CapacityPeriod)
class CapacityPeriodAdmin(admin.ModelAdmin):
    list_display = ("place_type", "places", "valid_from", "valid_to", "planned")
    list_filter = ("place_type__site", "planned")


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


@admin.register(CriteriaVersion)
class CriteriaVersionAdmin(admin.ModelAdmin):
    list_display = ("site", "version", "valid_from")
    inlines = [CriterionInline]


MEMBERSHIP_OWN_GRANT = _("You cannot change your own roles; ask another administrator.")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Roles; saves go through the membership services, which audit them."""

    list_display = ("user", "site", "role", "job_title")
    list_filter = ("site", "role")
    audits_itself = True

    def get_queryset(self, request: HttpRequest) -> Any:
        memberships = super().get_queryset(request)
        if request.user.is_superuser:
            return memberships
        return memberships.filter(user__in=managed_users(request.user))

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name == "user" and not request.user.is_superuser:
            kwargs["queryset"] = managed_users(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        form.request_user = request.user
        form.clean = _refuse_own_grant(form.clean)
        return form

    def save_model(
        self, request: HttpRequest, obj: Any, form: Any, change: bool
    ) -> None:
        if change:
            membership_change(membership=obj, changed_by=request.user)
            return
        saved = membership_grant(
            user=obj.user,
            site=obj.site,
            role=obj.role,
            job_title=obj.job_title,
            granted_by=request.user,
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        membership_revoke(membership=obj, revoked_by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for membership in queryset.select_related("user", "site"):
            membership_revoke(membership=membership, revoked_by=request.user)


def _refuse_own_grant(clean: Any) -> Any:
    """Segregation of duties: nobody widens their own access."""

    def wrapped(form: Any) -> Any:
        cleaned = clean(form)
        user = form.cleaned_data.get("user")
        if user is not None and user == form.request_user and not user.is_superuser:
            raise ValidationError(MEMBERSHIP_OWN_GRANT)
        return cleaned

    return wrapped


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_username", "kind", "site", "summary")
    list_filter = ("kind", "site")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ScopedUserAdmin(UserAdmin):
    """Functional administrators see (read only) the users whose every role
    is at their own sites; they manage them in the application (Users).
    Superusers see everyone."""

    scopes_itself = True

    def get_queryset(self, request: HttpRequest) -> Any:
        users = super().get_queryset(request)
        if request.user.is_superuser:
            return users
        return users.filter(pk__in=managed_users(request.user).values("pk"))

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        # A read-only view would link to the password form it may not open.
        return [
            (
                name,
                {
                    **options,
                    "fields": [f for f in options["fields"] if f != "password"],
                },
            )
            for name, options in fieldsets
        ]


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), ScopedUserAdmin)

"""Reference data of this app for functional administrators."""

from __future__ import annotations

from django.contrib import admin

from partners.models import (
    ContactPerson,
    Organisation,
    PartnerResponsibility,
    RequiredConsent,
    ResponsibilityTable,
)


class ContactPersonInline(admin.TabularInline):
    model = ContactPerson
    fk_name = "organisation"
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind")
    list_filter = ("kind", "sites")
    search_fields = ("name",)
    filter_horizontal = ("sites",)
    inlines = [ContactPersonInline]


class PartnerResponsibilityInline(admin.TabularInline):
    model = PartnerResponsibility
    extra = 0


@admin.register(ResponsibilityTable)
class ResponsibilityTableAdmin(admin.ModelAdmin):
    list_display = ("site", "number", "title")
    inlines = [PartnerResponsibilityInline]


@admin.register(RequiredConsent)
class RequiredConsentAdmin(admin.ModelAdmin):
    list_display = ("site", "kind")

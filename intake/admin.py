"""Intake reference data in the admin.

Intake cases are visible to superusers only (case models declare
``person_lookup``, so the functional administrators' group leaves them out);
imported lists hold personal data and are not in the admin at all.
"""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from intake.models import (
    EntryRoute,
    IntakeCase,
    IntakeProcessVersion,
    IntakeStageDefinition,
)


class StageInline(admin.TabularInline):
    model = IntakeStageDefinition
    extra = 0
    fields = (
        "order",
        "code",
        "name",
        "kind",
        "performer_role",
        "performer_organisation",
        "requires",
        "outcomes",
        "parallel",
        "optional",
        "practice_addition",
    )


class EntryRouteInline(admin.TabularInline):
    model = EntryRoute
    extra = 0


@admin.register(IntakeProcessVersion)
class IntakeProcessVersionAdmin(admin.ModelAdmin):
    list_display = ("site", "version", "valid_from", "name")
    list_filter = ("site",)
    inlines = [EntryRouteInline, StageInline]


@admin.register(IntakeCase)
class IntakeCaseAdmin(SimpleHistoryAdmin):
    list_display = ("pk", "site", "opened_on", "outcome", "closed_on")
    list_filter = ("site", "outcome")
    raw_id_fields = ("person",)
    readonly_fields = ("process", "criteria_version", "import_batch", "created_by")

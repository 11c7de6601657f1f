from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from intake.models import (
    EntryRoute,
    ImportBatch,
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


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = (
        "original_name",
        "site",
        "kind",
        "uploaded_by",
        "uploaded_at",
        "status",
    )
    list_filter = ("site", "kind", "status")
    readonly_fields = [f.name for f in ImportBatch._meta.fields]

"""Reference data of this app for functional administrators."""

from __future__ import annotations

from django.contrib import admin

from trajectories.models import (
    GoalDomain,
    PlanFormDefinition,
    ProgrammePhase,
    StayStepDefinition,
    WorkRule,
)


@admin.register(GoalDomain)
class GoalDomainAdmin(admin.ModelAdmin):
    list_display = ("name", "framework", "code", "order")
    list_filter = ("framework",)


@admin.register(PlanFormDefinition)
class PlanFormDefinitionAdmin(admin.ModelAdmin):
    list_display = ("site", "plan_name", "written_by_detainee", "signature_required")
    filter_horizontal = ("domains",)


@admin.register(ProgrammePhase)
class ProgrammePhaseAdmin(admin.ModelAdmin):
    list_display = ("site", "order", "name", "place_type", "valid_from", "valid_to")
    list_filter = ("site",)


@admin.register(StayStepDefinition)
class StayStepDefinitionAdmin(admin.ModelAdmin):
    list_display = ("site", "order", "name", "performer_role")
    list_filter = ("site",)


@admin.register(WorkRule)
class WorkRuleAdmin(admin.ModelAdmin):
    list_display = ("site", "kind", "value", "text")
    list_filter = ("site",)

from __future__ import annotations

from django.contrib import admin

from evaluation.models import CatalogueVersion, Item, Topic


class ReadOnlyAdmin(admin.ModelAdmin):
    """Catalogues come from the files in fixtures/reference/indicators only."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CatalogueVersion)
class CatalogueVersionAdmin(ReadOnlyAdmin):
    list_display = (
        "site",
        "table",
        "version",
        "valid_from",
        "source_file",
        "loaded_at",
    )
    list_filter = ("site",)


@admin.register(Topic)
class TopicAdmin(ReadOnlyAdmin):
    list_display = ("title", "category", "catalogue", "order")
    list_filter = ("catalogue__site", "category")


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = ("var", "text", "answer_type", "derived_from", "catalogue")
    list_filter = ("catalogue__site", "answer_type")
    search_fields = ("var", "text")

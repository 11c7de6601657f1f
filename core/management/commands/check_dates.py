"""List stored dates that break the date policy (``core.dates``): outside
1900-2199, or a fact dated after today. Reports only; nothing is changed."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils import timezone

from core.migration_operations import implausible_dates


class Command(BaseCommand):
    help = "List stored dates outside 1900-2199 and facts dated after today."

    def handle(self, *args: Any, **options: Any) -> None:
        models = [
            model
            for model in apps.get_models()
            if model._meta.managed
            and not model._meta.proxy
            and not any(f.name == "history_id" for f in model._meta.fields)
        ]
        found = implausible_dates(models, timezone.localdate())
        for row in found:
            self.stdout.write(
                f"{row['table']} id={row['id']} {row['field']}={row['value']} "
                f"({row['problem']})"
            )
        self.stdout.write(f"{len(found)} dates break the date policy.")

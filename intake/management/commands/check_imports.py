"""Check the lists waiting to be checked, e.g. after a restart interrupted
their check; a list left half-way through its import awaits confirmation
again (its import was one transaction, so nothing of it was written)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from intake.importers import import_batch_check
from intake.models import ImportBatch, ImportStatus


class Command(BaseCommand):
    help = "Check list imports waiting to be checked."

    def handle(self, *args: Any, **options: Any) -> None:
        reset = ImportBatch.objects.filter(status=ImportStatus.APPLYING).update(
            status=ImportStatus.PREVIEW
        )
        checked = 0
        for batch in ImportBatch.objects.filter(status=ImportStatus.CHECKING):
            import_batch_check(batch)
            checked += 1
        self.stdout.write(f"{checked} list(s) checked, {reset} import(s) reset.")

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from intake.services import consents_from_intake_backfill


class Command(BaseCommand):
    help = (
        "Record the consents of consent statements and positive consent steps "
        "registered in intake cases before the intake recorded them itself. "
        "Run once after load_reference; safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        recorded = consents_from_intake_backfill()
        self.stdout.write(f"consents recorded: {recorded}")

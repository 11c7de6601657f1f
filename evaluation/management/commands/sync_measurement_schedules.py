from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from evaluation.services import schedules_sync_due


class Command(BaseCommand):
    help = (
        "Create or adjust the measurement schedule of stays (new placements, "
        "outflow, next tussenmeting). The worker runs this daily by itself; "
        "safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all",
            action="store_true",
            help="Sync every stay, not only those whose schedule lags behind.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count = schedules_sync_due(every_stay=options["all"])
        self.stdout.write(f"schedules synced: {count}")

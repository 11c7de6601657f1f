from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from evaluation.selectors import stays_needing_schedule
from evaluation.services import schedule_sync_for_stay


class Command(BaseCommand):
    help = (
        "Create or adjust the measurement schedule of stays (new placements, "
        "outflow, next tussenmeting). Safe to run daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all",
            action="store_true",
            help="Sync every stay, not only those whose schedule lags behind.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from trajectories.models import Stay

        stays = (
            Stay.objects.select_related("site")
            if options["all"]
            else stays_needing_schedule()
        )
        count = 0
        for stay in stays:
            schedule_sync_for_stay(stay=stay)
            count += 1
        self.stdout.write(f"schedules synced: {count}")

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from core.backup import backup_create


class Command(BaseCommand):
    help = (
        "Write every table and the uploaded files to one compressed backup file "
        "(SQLite and PostgreSQL alike). Restore with restore_db."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            default=None,
            help="File to write (default: kvmonitor-backup-<time>.zip here).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["output"] or Path(
            f"kvmonitor-backup-{timezone.now():%Y%m%d-%H%M%S}.zip"
        )
        summary = backup_create(path=path)
        self.stdout.write(
            f"Backed up {summary.rows} rows from {len(summary.tables)} tables "
            f"and {summary.media_files} media files to {summary.path}"
        )

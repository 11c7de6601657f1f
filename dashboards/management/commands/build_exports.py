from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dashboards.exports.services import export_jobs_build_queued


class Command(BaseCommand):
    help = "Build research exports that are still queued (e.g. after a restart)."

    def handle(self, *args: Any, **options: Any) -> None:
        built = export_jobs_build_queued()
        self.stdout.write(f"{built} export(s) built")

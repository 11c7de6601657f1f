from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dashboards.exports.services import export_jobs_requeue


class Command(BaseCommand):
    help = (
        "Put research exports still queued, or left running by a stopped "
        "worker, back on the task queue (a worker builds them)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        queued = export_jobs_requeue()
        self.stdout.write(f"{queued} export(s) put on the queue")

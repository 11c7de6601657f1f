"""Tasks of the core app, run by the worker (see ``core.jobs``)."""

from __future__ import annotations

import socket

from django.utils import timezone

from core import jobs
from core.digest import digests_send_daily
from core.models import WorkerHeartbeat
from core.retention import retention_listing_make


def worker_heartbeat() -> str:
    """Every minute: shows the health endpoint that workers take tasks."""
    WorkerHeartbeat.objects.update_or_create(
        name="worker",
        defaults={"beat_at": timezone.now(), "host": socket.gethostname()[:255]},
    )
    return "beat"


def jobs_recover() -> str:
    """Every few minutes: queue again the jobs whose task was lost."""
    return f"{jobs.jobs_recover()} job(s) queued again"


def reminder_digests_send() -> str:
    """Daily: each user's reminder e-mail."""
    return f"{digests_send_daily()} reminder e-mail(s) sent"


def retention_listing_monthly() -> str:
    """Monthly: list people past retention for each site's administrators."""
    return f"{len(retention_listing_make())} site listing(s) made"

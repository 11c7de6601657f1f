"""The health endpoint for load balancers and monitoring: ``/health/``.

No login, no personal data, a handful of cheap queries. 200 when every
check passes, 503 otherwise, with a JSON body naming each check:

- ``database``: a query answers;
- ``migrations``: every migration of this code is applied (checked once per
  process while they are; recomputed while they are not);
- ``worker``: a worker ran its minutely heartbeat task within
  ``KV_HEALTH_HEARTBEAT_MAX_AGE`` seconds;
- ``queue``: no task has waited longer than ``KV_HEALTH_QUEUE_MAX_WAIT``
  seconds to be picked up.

``/health/web/`` runs only the first two: what a web process needs to serve
pages. A load balancer that should keep serving while the workers are down
or behind polls that one; monitoring polls ``/health/``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.access import public
from core.models import WorkerHeartbeat

_migrations_applied = False


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_migrations() -> str:
    global _migrations_applied
    if not _migrations_applied:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            return f"{len(plan)} unapplied"
        _migrations_applied = True
    return "ok"


def check_worker() -> str:
    beat = WorkerHeartbeat.objects.order_by("-beat_at").values_list(
        "beat_at", flat=True
    )[:1]
    last = beat[0] if beat else None
    if last is None:
        return "no heartbeat yet"
    age = (timezone.now() - last).total_seconds()
    if age > settings.KV_HEALTH_HEARTBEAT_MAX_AGE:
        return f"last heartbeat {int(age)} s ago"
    return "ok"


def check_queue() -> str:
    from django_q.models import OrmQ

    cutoff = timezone.now() - datetime.timedelta(
        seconds=settings.KV_HEALTH_QUEUE_MAX_WAIT
    )
    # A task waiting to be picked up has its lock in the past (the time it
    # was queued, or when a dead worker's hold ran out).
    if OrmQ.objects.filter(lock__lt=cutoff).exists():
        return "tasks waiting too long"
    return "ok"


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "migrations": check_migrations,
    "worker": check_worker,
    "queue": check_queue,
}


WEB_CHECKS = ("database", "migrations")


@public
@never_cache
@require_GET
@transaction.non_atomic_requests
def health_view(request: HttpRequest, web_only: bool = False) -> JsonResponse:
    checks = {
        name: check
        for name, check in CHECKS.items()
        if not web_only or name in WEB_CHECKS
    }
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            results[name] = check()
        except DatabaseError:
            results[name] = "database error"
        if name == "database" and results[name] != "ok":
            # nothing else can be checked without the database
            break
    healthy = len(results) == len(checks) and all(
        value == "ok" for value in results.values()
    )
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": results},
        status=200 if healthy else 503,
    )

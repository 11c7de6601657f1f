"""Putting work on the queue: after the current transaction commits, or now."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction

# The package's name, as before the split: log filters keep working.
logger = logging.getLogger("core.jobs")

# Arguments django-q2's async_task takes for itself.
RESERVED_KWARGS = frozenset(
    {
        "hook",
        "group",
        "save",
        "sync",
        "cached",
        "ack_failure",
        "iter_count",
        "iter_cached",
        "chain",
        "broker",
        "cluster",
        "timeout",
        "task_name",
        "q_options",
    }
)


def enqueue_on_commit(task: str, /, **kwargs: Any) -> None:
    """Queue ``task`` (dotted path) with ``kwargs`` once this transaction
    commits; immediately when no transaction is open."""
    clash = RESERVED_KWARGS & set(kwargs)
    if clash:
        raise ValueError(f"task arguments may not be named {sorted(clash)}")
    transaction.on_commit(partial(enqueue_now, task, **kwargs))


def enqueue_now(task: str, /, **kwargs: Any) -> str:
    """Queue ``task`` now (inside a transaction: visible when it commits)."""
    from django_q.tasks import async_task

    options = {"group": task, "task_name": f"{task.rsplit('.', 1)[-1]}"}
    if getattr(settings, "KV_TASKS_SYNC", False):
        # Tests: run it here as a worker would; a failure is the job's, not
        # the caller's, exactly as with a real worker.
        try:
            return async_task(task, q_options={**options, "sync": True}, **kwargs)
        except Exception:
            logger.exception("task %s failed (run in-process)", task)
            return ""
    return async_task(task, q_options=options, **kwargs)

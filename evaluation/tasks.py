"""Tasks of the evaluation app, run by the worker (see ``core.jobs``)."""

from __future__ import annotations

from evaluation.services import schedules_sync_due


def measurement_schedules_sync() -> str:
    """Daily: create the tussenmetingen that fell due, adjust schedules."""
    return f"schedules synced: {schedules_sync_due()}"

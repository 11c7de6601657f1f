"""Tasks of the evaluation app, run by the worker (see ``core.jobs``)."""

from __future__ import annotations

from evaluation.services import schedules_sync_due
from evaluation.summaries import answer_summaries_repair


def measurement_schedules_sync() -> str:
    """Daily: create the tussenmetingen that fell due, adjust schedules."""
    return f"schedules synced: {schedules_sync_due()}"


def answer_summaries_check() -> str:
    """Nightly: recompute the answer summaries that differ from the answers."""
    return f"answer summaries recomputed for {answer_summaries_repair()} measurement(s)"

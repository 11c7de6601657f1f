"""Tasks of the intake app, run by a worker of the task queue (``core.jobs``)."""

from __future__ import annotations

from core.jobs import run_job
from intake.models import ImportBatch
from intake.services.imports import import_batch_work
from intake.services.stages import stage_reach_repair


def import_batch_run(*, job_pk: int) -> str:
    """Check an uploaded list, or import a confirmed one."""
    return run_job(ImportBatch, job_pk, import_batch_work)


def stage_reach_check() -> str:
    """Nightly: recount the stage reach that differs from the stage events."""
    return f"stage reach recounted for {stage_reach_repair()} case(s)"

"""Tasks of the dashboards app, run by the worker (see ``core.jobs``)."""

from __future__ import annotations

from core.jobs import run_job
from dashboards.exports.services import export_job_build
from dashboards.models import ExportJob


def export_job_run(*, job_pk: int) -> str:
    """Build one research export (every format)."""
    return run_job(ExportJob, job_pk, export_job_build)

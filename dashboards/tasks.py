"""Tasks of the dashboards app, run by the worker (see ``core.jobs``)."""

from __future__ import annotations

from core.jobs import run_job
from dashboards.exports.services import export_job_build
from dashboards.materialised import figures_refresh_due
from dashboards.models import ExportJob


def export_job_run(*, job_pk: int) -> str:
    """Build one research export (every format)."""
    return run_job(ExportJob, job_pk, export_job_build)


def overview_figures_refresh() -> str:
    """Every minute: recompute the programme overviews people read."""
    return f"{figures_refresh_due()} overview(s) recomputed"

"""Writes for research exports: request a job, build it, log it.

Exports are built outside the request (a thread started after the request's
transaction commits), so a national export never hits a request timeout.
The researcher's page polls the job's status and downloads the file when it
is ready. ``manage.py build_exports`` builds jobs left queued by a restart.
"""

from __future__ import annotations

import datetime
import logging
import tempfile
import threading
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.db import close_old_connections, transaction
from django.utils import timezone

from core.models import AuditKind, Site
from core.services import audit_event_record
from dashboards.exports.codebook import CODEBOOK_HEADERS, Column
from dashboards.exports.datasets import ExportFilters, build_sheets
from dashboards.exports.writers import WRITERS
from dashboards.models import ExportJob, ExportStatus

logger = logging.getLogger(__name__)

CODEBOOK_COLUMNS = [Column(name, name) for name in CODEBOOK_HEADERS]


@transaction.atomic
def export_job_create(
    *, user: AbstractBaseUser, filters: ExportFilters, format: str
) -> ExportJob:
    """Queue an export and start building it once this transaction commits."""
    job = ExportJob(created_by=user, format=format, filters=filters.as_json())
    job.full_clean(exclude=["file"])
    job.save()
    job.sites.set(Site.objects.filter(pk__in=filters.site_ids))
    if getattr(settings, "KV_EXPORTS_IN_BACKGROUND", True):
        transaction.on_commit(lambda: _start_thread(job.pk))
    else:
        export_job_build(job=job)
    return job


def _start_thread(job_pk: int) -> None:
    threading.Thread(target=_build_in_thread, args=(job_pk,), daemon=True).start()


def _build_in_thread(job_pk: int) -> None:
    close_old_connections()
    try:
        export_job_build(job=ExportJob.objects.get(pk=job_pk))
    finally:
        close_old_connections()


def write_export(filters: ExportFilters, writer: object) -> int:
    """Codebook first, then every data sheet; returns the number of data rows."""
    sheets = build_sheets(filters)
    codebook_rows = (
        column.codebook_row(sheet.name) for sheet in sheets for column in sheet.columns
    )
    writer.sheet("codebook", CODEBOOK_COLUMNS, codebook_rows)
    total = 0
    for sheet in sheets:
        total += writer.sheet(sheet.name, sheet.columns, sheet.rows)
    writer.close()
    return total


def export_job_build(*, job: ExportJob) -> ExportJob:
    """Build the file of a queued job and log the export in the audit trail."""
    claimed = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return job
    filters = ExportFilters.from_json(job.filters)
    writer_class = WRITERS[job.format]
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"export{writer_class.suffix}"
            rows = write_export(filters, writer_class(path))
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
            with path.open("rb") as handle:
                job.file.save(
                    f"kvmonitor-export-{job.pk}-{stamp}{writer_class.suffix}",
                    File(handle),
                    save=False,
                )
    except Exception as error:
        logger.exception("export %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.FAILED,
            error=str(error)[:2000],
            finished_at=timezone.now(),
        )
        job.refresh_from_db()
        return job
    with transaction.atomic():
        job.status = ExportStatus.DONE
        job.row_count = rows
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "status", "row_count", "finished_at"])
        audit_event_record(
            actor=job.created_by,
            kind=AuditKind.EXPORT,
            site=Site.objects.get(pk=filters.site_ids[0])
            if len(filters.site_ids) == 1
            else None,
            summary=f"research export #{job.pk} ({job.format}), {rows} rows",
            details={
                "export": job.pk,
                "format": job.format,
                "filters": job.filters,
                "row_count": rows,
            },
        )
    return job


STALE_AFTER = datetime.timedelta(hours=6)


def export_jobs_build_queued() -> int:
    """Build every job still queued (after a restart); returns how many.

    A job still "being built" long after it started lost its thread to a
    restart; it is queued again first.
    """
    ExportJob.objects.filter(
        status=ExportStatus.RUNNING, started_at__lt=timezone.now() - STALE_AFTER
    ).update(status=ExportStatus.QUEUED)
    built = 0
    for job in ExportJob.objects.filter(status=ExportStatus.QUEUED).order_by(
        "created_at"
    ):
        export_job_build(job=job)
        built += 1
    return built

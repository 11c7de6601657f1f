"""Writes for research exports: request a job, build it, log it.

Exports are built by a worker of the task queue (``core.jobs``), never in the
web process: ``export_job_create`` queues the job once the request's
transaction commits, ``dashboards.tasks.export_job_run`` builds it with
progress on the job row, and the researcher's page refreshes until the file
can be downloaded. ``manage.py build_exports`` puts jobs left queued or
stalled back on the queue.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from core.jobs import Lease, enqueue_on_commit, job_retry, jobs_recover
from core.models import AuditKind, Membership, Site
from core.scoping import Role
from core.services import audit_event_record
from dashboards.exports.datasets import (
    ExportAbout,
    ExportFilters,
    about_sheet,
    build_sheets,
    codebook_sheet,
    value_labels_sheet,
)
from dashboards.exports.writers import WRITERS, ExportWriter
from dashboards.models import ExportJob

logger = logging.getLogger(__name__)


@transaction.atomic
def export_job_create(
    *, user: AbstractBaseUser, filters: ExportFilters, format: str
) -> ExportJob:
    """Queue an export; a worker builds it once this transaction commits."""
    job = ExportJob(created_by=user, format=format, filters=filters.as_json())
    job.full_clean(exclude=["file"])
    job.save()
    job.sites.set(Site.objects.filter(pk__in=filters.site_ids))
    enqueue_on_commit(ExportJob.job_task, job_pk=job.pk)
    return job


@transaction.atomic
def export_job_retry(*, job: ExportJob, user: AbstractBaseUser) -> bool:
    """Queue a failed export again (its owner asked), audited."""
    reason = job.error
    if not job_retry(job):
        return False
    audit_event_record(
        actor=user,
        kind=AuditKind.EXPORT,
        site=_single_site(job),
        summary=gettext_noop(
            "Research export #%(number)s requested again after it failed"
        ),
        params={"number": job.pk},
        details={"export": job.pk, "retry": True, "previous_error": reason[:500]},
    )
    return True


def _single_site(job: ExportJob) -> Site | None:
    site_ids = ExportFilters.from_json(job.filters).site_ids
    return Site.objects.filter(pk=site_ids[0]).first() if len(site_ids) == 1 else None


def _counted(
    rows: Iterable[list[Any]], lease: Lease | None, written: list[int], note: str
) -> Iterator[list[Any]]:
    for row in rows:
        yield row
        written[0] += 1
        if lease is not None:
            lease.progress(done=written[0], note=note)


def write_export(
    filters: ExportFilters,
    writer: ExportWriter,
    lease: Lease | None = None,
    about: ExportAbout | None = None,
) -> int:
    """Writes the sheet "over dit bestand", the codebook and the value labels
    first, then every data sheet; returns the number of data rows.

    With a ``lease`` the rows written so far and the sheet being written are
    reported on the job (which also keeps its lease alive).
    """
    sheets = build_sheets(filters)
    for sheet in (
        about_sheet(filters, about or ExportAbout(), sheets),
        codebook_sheet(sheets),
        value_labels_sheet(sheets),
    ):
        writer.sheet(sheet.name, sheet.columns, sheet.rows)
    written = [0]
    total = 0
    for number, sheet in enumerate(sheets, start=1):
        note = f"{sheet.name} ({number}/{len(sheets)})"
        if lease is not None:
            lease.progress(done=written[0], note=note, force=True)
        total += writer.sheet(
            sheet.name, sheet.columns, _counted(sheet.rows, lease, written, note)
        )
    writer.close()
    return total


def export_about(job: ExportJob) -> ExportAbout:
    """What the "over dit bestand" sheet says about ``job``: its number, when
    it was requested and in which role (never who: the audit log knows)."""
    held = set(
        Membership.objects.filter(
            user=job.created_by, site_id__in=job.filters.get("site_ids", [])
        ).values_list("role", flat=True)
    )
    with translation.override("nl"):
        return ExportAbout(
            number=job.pk,
            created_at=job.created_at,
            role=", ".join(
                str(label) for value, label in Role.choices if value in held
            ),
            format=str(job.get_format_display()),
        )


def export_job_build(lease: Lease) -> None:
    """Build the file of the claimed job, then complete it once: the file,
    its row count and the audit entry are stored together."""
    job = lease.job
    assert isinstance(job, ExportJob)  # noqa: S101 - the task's own model
    filters = ExportFilters.from_json(job.filters)
    writer_class = WRITERS[job.format]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export{writer_class.suffix}"
        rows = write_export(filters, writer_class(path), lease, export_about(job))
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        with lease.finishing() as finished, path.open("rb") as handle:
            finished.file.save(
                f"kvmonitor-export-{job.pk}-{stamp}{writer_class.suffix}",
                File(handle),
                save=False,
            )
            finished.row_count = rows
            finished.progress_done = rows
            finished.save(update_fields=["file", "row_count", "progress_done"])
            audit_event_record(
                actor=finished.created_by,
                kind=AuditKind.EXPORT,
                site=_single_site(finished),
                summary=gettext_noop(
                    "Research export #%(number)s (%(format)s), %(rows)s rows"
                ),
                params={"number": job.pk, "format": job.format, "rows": rows},
                details={
                    "export": job.pk,
                    "format": job.format,
                    "filters": job.filters,
                    "row_count": rows,
                },
            )


def export_jobs_requeue() -> int:
    """Put every export still queued, or running without a live worker, back
    on the queue now (after a restart); returns how many."""
    return jobs_recover(model=ExportJob, grace_seconds=0)

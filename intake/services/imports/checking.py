"""Keeping an uploaded list and checking it: the check's result is STORED
with the batch, pages only read it (``intake.import_checks.stored_check``).
"""

from __future__ import annotations

import datetime
import time
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from core.jobs import JobState, enqueue_on_commit
from core.models import Site
from intake.import_checks import import_check
from intake.importers import FILE_CHANGED, ImportCheck, Progress
from intake.models import EntryRoute, ImportBatch, ImportStatus


@transaction.atomic
def import_batch_create(
    *,
    upload: UploadedFile,
    site: Site,
    kind: str,
    entry_route: EntryRoute,
    list_date: datetime.date,
    uploaded_by: AbstractBaseUser,
) -> ImportBatch:
    """Keep an uploaded list and queue its check (``import_batch_check``, run
    by a worker once this transaction commits)."""
    batch = ImportBatch(
        site=site,
        kind=kind,
        entry_route=entry_route,
        list_date=list_date,
        original_name=Path(upload.name or "list").name[:255],
        uploaded_by=uploaded_by,
        status=ImportStatus.CHECKING,
        job_state=JobState.QUEUED,
    )
    upload.seek(0)
    batch.file.save(batch.original_name, upload, save=False)
    batch.full_clean()
    batch.save()
    enqueue_on_commit(ImportBatch.job_task, job_pk=batch.pk)
    return batch


#: seconds between two progress writes to the batch
PROGRESS_INTERVAL = 1.0


def progress_saver(batch: ImportBatch, progress: Progress | None) -> Progress:
    """``progress`` (a worker's lease reports rows done of total on the batch
    and renews the lease); without it, rows done of total are written to the
    batch directly, at most once per ``PROGRESS_INTERVAL`` (and always the
    start and the end)."""
    if progress is not None:
        return progress
    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if 0 < done < total and now - last[0] < PROGRESS_INTERVAL:
            return
        last[0] = now
        ImportBatch.objects.filter(pk=batch.pk).update(
            progress_done=done, progress_total=total
        )

    return report


def check_store(batch: ImportBatch, check: ImportCheck, *, status: str) -> None:
    batch.check_result = check.to_json()
    batch.checked_at = timezone.now()
    batch.row_count = len(check.rows)
    batch.error_count = len(check.file_errors) + len(check.bad_rows)
    batch.status = status
    batch.save(
        update_fields=[
            "apply_error",
            "check_result",
            "checked_at",
            "row_count",
            "error_count",
            "status",
        ]
    )


def import_batch_check(
    batch: ImportBatch, progress: Progress | None = None
) -> ImportCheck:
    """Read and check a kept list and store the result with it.

    The status becomes "awaiting confirmation" (no errors) or "refused".
    Progress (rows done of total) is kept on the batch as it goes.
    """
    report = progress_saver(batch, progress)
    if not batch.file:
        check = ImportCheck(rows=[], file_errors=[str(FILE_CHANGED)])
    else:
        with batch.file.open("rb") as handle:
            check = import_check(
                handle=handle,
                name=batch.original_name,
                site=batch.site,
                kind=batch.kind,
                list_date=batch.list_date,
                entry_route=batch.entry_route,
                progress=report,
            )
    check_store(
        batch,
        check,
        status=ImportStatus.PREVIEW if check.ok else ImportStatus.REFUSED,
    )
    return check

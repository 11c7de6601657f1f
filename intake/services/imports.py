"""The list import's writes: keep an uploaded list, check it (reading and
checking are ``intake.importers`` and ``intake.import_checks``), apply it in one
transaction, and delete kept files past retention.

1. ``import_batch_create`` keeps the uploaded file with a new ``ImportBatch``
   and queues its check;
2. ``import_batch_check`` reads and checks the file and STORES the result
   with the batch; pages only read it (``intake.import_checks.stored_check``);
3. ``import_batch_apply`` checks the stored rows again against the records as
   they are now (something may have changed in between: then it names the
   rows and nothing is written) and writes people and cases with bulk inserts
   in one transaction.
"""

from __future__ import annotations

import datetime
import time
from functools import partial
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history

from core.jobs import JobState, Lease, enqueue_on_commit, job_retry
from core.models import (
    AuditKind,
    Person,
    Site,
)
from core.services import audit_event_record
from intake.import_checks import check_rows, import_check, stored_check
from intake.importers import (
    ALREADY_APPLIED,
    BULK_BATCH_SIZE,
    CHANGED_ROWS,
    CHANGED_SINCE_CHECK,
    FILE_CHANGED,
    NOT_READY,
    ROW_CHANGED,
    ImportCheck,
    ImportRow,
    Progress,
)
from intake.models import (
    EntryRoute,
    ImportBatch,
    ImportStatus,
    IntakeCase,
)
from intake.services import (
    cases_open_from_list,
)


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


def _progress_saver(batch: ImportBatch, progress: Progress | None) -> Progress:
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


def _store(batch: ImportBatch, check: ImportCheck, *, status: str) -> None:
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
    report = _progress_saver(batch, progress)
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
    _store(
        batch,
        check,
        status=ImportStatus.PREVIEW if check.ok else ImportStatus.REFUSED,
    )
    return check


def _changes(before: ImportCheck, after: ImportCheck) -> list[ImportRow]:
    """Rows whose outcome differs between the stored check and a new one,
    with the difference as their error."""
    previous = {row.number: row for row in before.rows}
    changed = []
    for row in after.rows:
        old = previous.get(row.number)
        if row.errors:
            changed.append(row)
        elif old is not None and old.action != row.action:
            row.errors.append(
                str(
                    ROW_CHANGED
                    % {"change": f"{old.action_label} -> {row.action_label}"}
                )
            )
            changed.append(row)
    return changed


def _refuse_changed(
    batch: ImportBatch, stored: ImportCheck, fresh: ImportCheck
) -> ValidationError:
    """Keep the new result (to check and confirm again, or refused) and say
    which rows changed."""
    status = (
        ImportStatus.REFUSED
        if fresh.file_errors or fresh.bad_rows
        else ImportStatus.PREVIEW
    )
    changed = _changes(stored, ImportCheck.from_json(fresh.to_json()))
    numbers = ", ".join(
        f"{row.number} ({'; '.join(row.errors)})" for row in changed[:20]
    )
    if len(changed) > 20:
        numbers += ", ..."
    rows = str(CHANGED_ROWS % {"rows": numbers}) if changed else ""
    rows = " ".join([*fresh.file_errors, rows]).strip()
    error = ValidationError(CHANGED_SINCE_CHECK, code="changed", params={"rows": rows})
    batch.apply_error = " ".join(error.messages)
    _store(batch, fresh, status=status)
    return error


def import_batch_apply(
    batch: ImportBatch,
    *,
    actor: AbstractBaseUser | None = None,
    progress: Progress | None = None,
) -> ImportBatch:
    """Import a checked list: all rows or none, with bulk inserts.

    The stored rows are checked again against the records as they are now;
    when something changed in between (a person registered, a case opened,
    the site's status or process changed) nothing is written, the rows are
    named and the stored result is renewed. Matched people get a case; people
    with an open case at the site are skipped.
    """
    actor = actor or batch.applied_by
    report = _progress_saver(batch, progress)
    # Progress is reported outside the transaction, where others can see it:
    # the rows are written in one transaction, all or none.
    report(0, batch.row_count)
    try:
        with transaction.atomic():
            batch = _apply(batch, actor=actor)
    except _Changed as changed:
        # The transaction is rolled back; the renewed result is kept.
        with transaction.atomic():
            error = _refuse_changed(changed.batch, changed.stored, changed.fresh)
        raise error from None
    _statistics_refresh()
    report(batch.row_count, batch.row_count)
    return batch


def _statistics_refresh() -> None:
    """Renew PostgreSQL's planner statistics of the tables a list fills.

    A list adds thousands of people and cases to tables that may have held a
    few dozen; until autovacuum gets to them (up to a minute later) the
    planner believes the few dozen and reads the new cases one by one in
    nested loops: the worklist took 0.8 s a query instead of milliseconds,
    measured. ANALYZE samples a bounded number of rows and blocks nobody.
    """
    if connection.vendor != "postgresql":
        return
    names = [model._meta.db_table for model in (Person, IntakeCase)]
    tables = ", ".join(connection.ops.quote_name(name) for name in names)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


class _Changed(Exception):
    def __init__(self, batch: ImportBatch, stored: ImportCheck, fresh: ImportCheck):
        super().__init__("changed")
        self.batch, self.stored, self.fresh = batch, stored, fresh


def _apply(batch: ImportBatch, *, actor: AbstractBaseUser | None) -> ImportBatch:
    # Only the batch's row is locked: with the joined site row locked too
    # (FOR UPDATE), every other transaction writing a row that refers to the
    # site (an audit entry, a read log line, a case) waited at its commit
    # for the whole import. NO KEY: rows referring to the batch stay free.
    batch = (
        ImportBatch.objects.select_for_update(of=("self",), no_key=True)
        .select_related("site")
        .get(pk=batch.pk)
    )
    if batch.status == ImportStatus.APPLIED:
        raise ValidationError(ALREADY_APPLIED, code="applied")
    stored = stored_check(batch)
    if (
        stored is None
        or not stored.ok
        or batch.status
        not in (
            ImportStatus.PREVIEW,
            ImportStatus.APPLYING,
        )
    ):
        raise ValidationError(NOT_READY, code="not_ready")
    if not batch.file:
        raise ValidationError(FILE_CHANGED, code="purged")
    site = batch.site
    fresh = ImportCheck.from_json(batch.check_result)
    fresh.file_errors, fresh.context = check_rows(
        fresh.rows,
        site=site,
        kind=batch.kind,
        list_date=batch.list_date,
        entry_route=batch.entry_route,
        validate=False,
    )
    if not fresh.ok or _changes(stored, ImportCheck.from_json(fresh.to_json())):
        raise _Changed(batch, stored, fresh)
    total = len(fresh.rows)
    new_rows = [row for row in fresh.rows if row.action == "new"]
    people = [
        Person(
            site_id=site.pk,
            first_name=row.values["first_name"].strip(),
            last_name=row.values["last_name"].strip(),
            date_of_birth=row.values["date_of_birth"],
            gender=row.values["gender"],
            dji_number=row.values["dji_number"].strip(),
            municipality_of_origin=row.values["municipality_of_origin"].strip(),
        )
        for row in new_rows
    ]
    try:
        with transaction.atomic():
            created = bulk_create_with_history(
                people, Person, batch_size=BULK_BATCH_SIZE, default_user=actor
            )
    except IntegrityError:
        # Someone registered one of these people after the check above.
        fresh.file_errors, fresh.context = check_rows(
            fresh.rows,
            site=site,
            kind=batch.kind,
            list_date=batch.list_date,
            entry_route=batch.entry_route,
            validate=False,
        )
        raise _Changed(batch, stored, fresh) from None
    if any(person.pk is None for person in created):
        by_key = {
            (p.first_name, p.last_name, p.date_of_birth, p.dji_number): p.pk
            for p in Person.objects.filter(
                site=site, pseudonym__in=[person.pseudonym for person in created]
            )
        }
        for person in created:
            person.pk = by_key[
                (
                    person.first_name,
                    person.last_name,
                    person.date_of_birth,
                    person.dji_number,
                )
            ]
    for row, person in zip(new_rows, created, strict=True):
        row.person_id = person.pk
    people_by_pk = {person.pk: person for person in created}
    matched_ids = [row.person_id for row in fresh.rows if row.action == "matched"]
    people_by_pk.update(Person.objects.in_bulk(matched_ids))
    entries = [
        (people_by_pk[row.person_id], row.values["report_date"])
        for row in fresh.rows
        if row.action in ("new", "matched")
    ]
    opened = len(
        cases_open_from_list(
            site=site,
            entries=entries,
            opened_on=batch.list_date,
            entry_route=batch.entry_route,
            created_by=actor,
            import_batch=batch,
        )
    )
    batch.status = ImportStatus.APPLIED
    batch.applied_at = timezone.now()
    batch.applied_by = actor
    batch.people_created = len(created)
    batch.people_matched = len(matched_ids)
    batch.cases_opened = opened
    batch.apply_error = ""
    batch.check_result = fresh.to_json()
    batch.save(
        update_fields=[
            "status",
            "applied_at",
            "applied_by",
            "people_created",
            "people_matched",
            "cases_opened",
            "apply_error",
            "check_result",
        ]
    )
    audit_event_record(
        actor=actor,
        kind=AuditKind.IMPORT,
        site=site,
        summary=gettext_noop("List %(file)s imported: %(cases)s intake cases opened"),
        params={"file": batch.original_name, "cases": opened},
        details={
            "import": batch.pk,
            "rows": total,
            "people_created": len(created),
            "people_matched": len(matched_ids),
            "cases_opened": opened,
        },
    )
    return batch


def import_batch_confirm(batch: ImportBatch, *, actor: AbstractBaseUser) -> ImportBatch:
    """Confirm a checked list for import by ``actor``: the import is queued
    and a worker runs ``import_batch_apply`` once this transaction commits."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status == ImportStatus.APPLIED:
            raise ValidationError(ALREADY_APPLIED, code="applied")
        if batch.status != ImportStatus.PREVIEW:
            raise ValidationError(NOT_READY, code="not_ready")
        batch.status = ImportStatus.APPLYING
        batch.applied_by = actor
        batch.apply_error = ""
        # a fresh job: the check's attempts and progress do not count
        batch.job_state = JobState.QUEUED
        batch.attempts = 0
        batch.queued_at = timezone.now()
        batch.started_at = batch.finished_at = None
        batch.progress_done, batch.progress_total = 0, batch.row_count
        batch.error = ""
        batch.save(
            update_fields=[
                "status",
                "applied_by",
                "apply_error",
                "job_state",
                "attempts",
                "queued_at",
                "started_at",
                "finished_at",
                "progress_done",
                "progress_total",
                "error",
            ]
        )
        enqueue_on_commit(ImportBatch.job_task, job_pk=batch.pk)
    return batch


def import_batch_apply_failed(batch: ImportBatch, error: ValidationError) -> None:
    """After a refused apply: a list marked for import awaits confirmation
    again, with the reason kept to show on its page."""
    ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.APPLYING).update(
        status=ImportStatus.PREVIEW
    )
    ImportBatch.objects.filter(pk=batch.pk).update(
        apply_error=" ".join(error.messages)[:2000]
    )


def import_batch_retry(batch: ImportBatch, *, actor: AbstractBaseUser) -> bool:
    """Run a failed check or import again (its attempts afresh), recorded in
    the audit log; False when it had not failed."""
    if batch.status not in (ImportStatus.CHECKING, ImportStatus.APPLYING):
        return False
    reason = batch.error
    with transaction.atomic():
        if not job_retry(batch):
            return False
        audit_event_record(
            actor=actor,
            kind=AuditKind.IMPORT,
            site=batch.site,
            summary=gettext_noop("List import #%(import)s tried again after it failed"),
            params={"import": batch.pk},
            details={"import": batch.pk, "retry": True, "previous_error": reason[:500]},
        )
    return True


def import_batch_work(lease: Lease) -> None:
    """The background work of a batch (``intake.tasks.import_batch_run``):
    check it or import it, whichever its status asks, reporting rows done of
    total through the lease. A refused import (the records changed since the
    check) is an outcome for the user, not a failure of the work."""
    batch = lease.job
    assert isinstance(batch, ImportBatch)  # noqa: S101 - the task's own model

    def progress(done: int, total: int) -> None:
        lease.progress(done=done, total=total)

    if batch.status == ImportStatus.CHECKING:
        import_batch_check(batch, progress=progress)
    elif batch.status == ImportStatus.APPLYING:
        try:
            import_batch_apply(batch, progress=progress)
        except ValidationError as error:
            import_batch_apply_failed(batch, error)


@transaction.atomic
def import_files_purge(*, uploaded_before: datetime.datetime) -> int:
    """Delete the kept files of lists uploaded before a moment (retention).

    The import records stay, with who imported what and the counts; the
    files and the stored rows with names and birth dates go. Returns the
    number of files.
    """
    purged = 0
    for batch in ImportBatch.objects.filter(uploaded_at__lt=uploaded_before).exclude(
        file=""
    ):
        storage, name = batch.file.storage, batch.file.name
        batch.file = ""
        batch.check_result = {}
        batch.save(update_fields=["file", "check_result"])
        # Only once the record says so: a rolled-back purge keeps its files.
        transaction.on_commit(partial(storage.delete, name))
        purged += 1
    return purged

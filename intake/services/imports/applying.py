"""Applying a checked list: confirmed by a user, then written by a worker in
one transaction with bulk inserts, all rows or none; the stored rows are
checked again against the records as they are now, and rows that changed in
between are named and nothing is written.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history

from core.jobs import JobState, enqueue_on_commit
from core.models import AuditKind, Person
from core.services import audit_event_record
from intake.import_checks import check_rows, stored_check
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
from intake.models import ImportBatch, ImportStatus, IntakeCase
from intake.services import cases_open_from_list
from intake.services.imports.checking import check_store, progress_saver


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
    check_store(batch, fresh, status=status)
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
    report = progress_saver(batch, progress)
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


def import_batch_apply_failed(batch: ImportBatch, error: ValidationError) -> None:
    """After a refused apply: a list marked for import awaits confirmation
    again, with the reason kept to show on its page."""
    ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.APPLYING).update(
        status=ImportStatus.PREVIEW
    )
    ImportBatch.objects.filter(pk=batch.pk).update(
        apply_error=" ".join(error.messages)[:2000]
    )

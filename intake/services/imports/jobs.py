"""The background work of a list (checking or applying it) and trying it
again after it failed."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_noop

from core.jobs import Lease, job_retry
from core.models import AuditKind
from core.services import audit_event_record
from intake.models import ImportBatch, ImportStatus
from intake.services.imports.applying import (
    import_batch_apply,
    import_batch_apply_failed,
)
from intake.services.imports.checking import import_batch_check


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

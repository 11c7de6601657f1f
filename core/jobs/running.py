"""One delivery runs a job: it claims the row with a conditional UPDATE,
holds it with a :class:`Lease` renewed by every progress report, and
finishes or fails it exactly once (:func:`run_job`, the body of a task).
"""

from __future__ import annotations

import datetime
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.dispatch import Signal
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.jobs.rows import J, JobFields, JobState, max_attempts

# The package's name, as before the split: log filters keep working.
logger = logging.getLogger("core.jobs")

# A running job writes its progress at most this often (seconds).
PROGRESS_INTERVAL = 2.0

# Sent after a job's progress was stored (sender: the job model).
job_progress = Signal()
# Lease.progress(total=KEEP) leaves the stored total as it is.
KEEP = object()

WORKER_LOST = _(
    "The work stopped %(attempts)s times without finishing (the worker process "
    "ended). Try again; if it keeps failing, tell the functional administrator."
)
TIMED_OUT = _("The work took longer than %(seconds)s seconds and was stopped.")


class LeaseLost(Exception):
    """This delivery no longer holds the job (another delivery took it over)."""


def lease_seconds() -> int:
    return int(settings.KV_JOB_LEASE_SECONDS)


def _stored_text(message: Any, **params: Any) -> str:
    """A message in the interface language, as stored on the row."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(message) % params if params else str(message)


@dataclass
class Lease:
    """One delivery's hold on a job row."""

    model: type[JobFields]
    pk: int
    token: str
    job: JobFields
    finished: bool = False
    _last_write: float | None = field(default=None, repr=False)

    def _mine(self) -> models.QuerySet:
        return self.model._default_manager.filter(
            pk=self.pk,
            lease_token=self.token,
            **{self.model.job_state_field: JobState.RUNNING},
        )

    def progress(
        self,
        *,
        done: int,
        total: int | object | None = KEEP,
        note: str | None = None,
        force: bool = False,
    ) -> None:
        """Store how far the work is and renew the lease.

        Written at most every ``PROGRESS_INTERVAL`` seconds unless ``force``;
        raises :class:`LeaseLost` when another delivery took the job over.
        """
        now = time.monotonic()
        if (
            not force
            and self._last_write is not None
            and now - self._last_write < PROGRESS_INTERVAL
        ):
            return
        values: dict[str, Any] = {
            "progress_done": done,
            "lease_expires_at": timezone.now()
            + datetime.timedelta(seconds=lease_seconds()),
        }
        if total is not KEEP:
            values["progress_total"] = total
        if note is not None:
            values["progress_note"] = note[:200]
        if not self._mine().update(**values):
            raise LeaseLost(f"{self.model.__name__} {self.pk}")
        self._last_write = now
        for name, value in values.items():
            setattr(self.job, name, value)
        job_progress.send(sender=self.model, job_pk=self.pk, done=done)

    @contextmanager
    def finishing(self) -> Iterator[JobFields]:
        """Complete the job once: the state change and the caller's final
        writes commit together, or not at all."""
        now = timezone.now()
        state = self.model.job_state_field
        with transaction.atomic():
            if not self._mine().update(
                **{state: JobState.DONE},
                finished_at=now,
                error="",
                lease_token="",
                lease_expires_at=None,
            ):
                raise LeaseLost(f"{self.model.__name__} {self.pk}")
            setattr(self.job, state, JobState.DONE)
            self.job.finished_at = now
            self.job.error = ""
            yield self.job
        self.finished = True


def job_claim(model: type[J], pk: int) -> Lease | None:
    """Take the job for this delivery, or ``None`` when there is nothing to do
    (finished, or running under another delivery's live lease).

    A queued job, or a running one whose lease ran out (its worker died), is
    claimed with one conditional UPDATE, so two deliveries never both get it.
    A job whose attempts are used up and whose last worker died is failed.
    """
    state = model.job_state_field
    manager = model._default_manager
    now = timezone.now()
    token = uuid.uuid4().hex
    claimable = Q(**{state: JobState.QUEUED}) | Q(
        **{state: JobState.RUNNING}, lease_expires_at__lt=now
    )
    claimed = (
        manager.filter(pk=pk, attempts__lt=max_attempts())
        .filter(claimable)
        .update(
            **{state: JobState.RUNNING},
            attempts=F("attempts") + 1,
            lease_token=token,
            lease_expires_at=now + datetime.timedelta(seconds=lease_seconds()),
            started_at=now,
            finished_at=None,
            progress_done=0,
            progress_total=None,
            progress_note="",
        )
    )
    if claimed:
        return Lease(model=model, pk=pk, token=token, job=manager.get(pk=pk))
    _fail_if_exhausted(model, pk, claimable)
    return None


def _fail_if_exhausted(model: type[JobFields], pk: int, claimable: Q) -> int:
    """Fail a job without attempts left whose last worker died."""
    return (
        model._default_manager.filter(pk=pk, attempts__gte=max_attempts())
        .filter(claimable)
        .update(
            **{model.job_state_field: JobState.FAILED},
            error=_stored_text(WORKER_LOST, attempts=max_attempts()),
            finished_at=timezone.now(),
            lease_token="",
            lease_expires_at=None,
        )
    )


def describe_error(error: BaseException) -> str:
    """The reason shown to the user: what went wrong, without a traceback."""
    from django_q.exceptions import TimeoutException

    if isinstance(error, TimeoutException):
        return _stored_text(TIMED_OUT, seconds=settings.KV_QUEUE_TIMEOUT)
    text = str(error).strip() or error.__class__.__name__
    return f"{error.__class__.__name__}: {text}"[:2000]


def job_fail(lease: Lease, error: BaseException) -> bool:
    """Record a failed attempt; returns whether the job will be retried.

    With attempts left the job is queued again (django-q2 delivers the task
    again after ``KV_QUEUE_RETRY`` seconds), otherwise it is failed.
    """
    state = lease.model.job_state_field
    retry = lease.job.attempts < max_attempts()
    now = timezone.now()
    values: dict[str, Any] = (
        {state: JobState.QUEUED, "queued_at": now}
        if retry
        else {state: JobState.FAILED, "finished_at": now}
    )
    lease._mine().update(
        **values, error=describe_error(error), lease_token="", lease_expires_at=None
    )
    return retry


def run_job(model: type[J], pk: int, work: Callable[[Lease], None]) -> str:
    """Claim the job, run ``work`` and finish or fail it; the body of a task.

    Re-raises the work's exception so django-q2 records the failed attempt
    (visible in the admin) and delivers the task again while attempts remain.
    """
    from django_q.exceptions import TimeoutException

    lease = job_claim(model, pk)
    if lease is None:
        return "nothing to do"
    try:
        work(lease)
        if not lease.finished:
            with lease.finishing():
                pass
    except LeaseLost:
        logger.warning("%s %s was taken over by another delivery", model, pk)
        return "taken over"
    except (Exception, TimeoutException) as error:
        retry = job_fail(lease, error)
        logger.warning(
            "%s %s failed (attempt %s, %s): %s",
            model.__name__,
            pk,
            lease.job.attempts,
            "will retry" if retry else "gave up",
            describe_error(error),
        )
        raise
    return "done"

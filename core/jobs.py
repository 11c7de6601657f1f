"""Background work: the one seam every app uses to put work on the task queue.

The queue is django-q2 with its ORM broker: a table in the application's own
database that every worker process on every machine takes tasks from (see
the README, "Background work"). Apps never call django-q2 directly; they use
this module.

**Put work on the queue** after the current transaction commits, so the
worker never sees a row the request has not committed::

    from core.jobs import enqueue_on_commit

    enqueue_on_commit("dashboards.tasks.export_job_run", job_pk=job.pk)

A task is a plain function in ``<app>/tasks.py`` taking keyword arguments
with simple values (ids, not objects).

**Work a user waits for** has a *job row*: an application model that holds
what the user sees (queued, running with rows done of total, done, failed
with the reason). It inherits :class:`JobFields`, declares its state field
(values of :class:`JobState`) and the task that runs it::

    class ExportJob(JobFields):
        job_state_field = "status"
        job_task = "dashboards.tasks.export_job_run"   # called with job_pk=
        status = models.CharField(choices=..., default=JobState.QUEUED, ...)

The task runs the job through :func:`run_job`, which claims the row with a
conditional UPDATE (one delivery at a time), and hands the work a
:class:`Lease`::

    def export_job_run(*, job_pk: int) -> str:
        return run_job(ExportJob, job_pk, _build)

    def _build(lease: Lease) -> None:
        lease.progress(done=0, total=len(rows))     # renews the lease
        ...
        with lease.finishing() as job:              # DONE exactly once
            job.row_count = n
            job.save(update_fields=["row_count"])   # in the same transaction

Why it is safe:

- a worker that dies (killed machine, OOM) leaves the task unacknowledged;
  django-q2 hands it out again after ``KV_QUEUE_RETRY`` seconds, and the new
  delivery takes over the job because its lease (renewed by every progress
  report, ``KV_JOB_LEASE_SECONDS``) has run out;
- an exception marks the job queued again with the reason and re-raises, so
  django-q2 records the failure and retries it; after
  ``KV_QUEUE_MAX_ATTEMPTS`` attempts the job is failed with its reason;
- finishing is a conditional UPDATE on the lease token: a delivery that lost
  its lease cannot complete the job a second time, and its writes roll back;
- :func:`jobs_recover` (every few minutes) puts back on the queue any job
  whose task was lost altogether.

Progress writes happen outside any transaction so the status page sees
them; do not call :meth:`Lease.progress` inside ``transaction.atomic``.

**Periodic work** is declared on an AppConfig (``periodic_tasks``, see
``core.registry``) and written to django-q2's schedule table after every
``migrate`` (:func:`schedules_ensure`); the worker's own scheduler runs it.

In tests ``KV_TASKS_SYNC`` is on: an enqueued task runs in the test process
when the transaction commits (use ``django_capture_on_commit_callbacks``).
"""

from __future__ import annotations

import datetime
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any, ClassVar, TypeVar

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.dispatch import Signal
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# Arguments django-q2's async_task takes for itself.
RESERVED_KWARGS = frozenset(
    {
        "hook",
        "group",
        "save",
        "sync",
        "cached",
        "ack_failure",
        "iter_count",
        "iter_cached",
        "chain",
        "broker",
        "cluster",
        "timeout",
        "task_name",
        "q_options",
    }
)
# A running job writes its progress at most this often (seconds).
PROGRESS_INTERVAL = 2.0

# Sent after a job's progress was stored (sender: the job model).
job_progress = Signal()
# Lease.progress(total=KEEP) leaves the stored total as it is.
KEEP = object()


class JobState(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


WORKER_LOST = _(
    "The work stopped %(attempts)s times without finishing (the worker process "
    "ended). Try again; if it keeps failing, tell the functional administrator."
)
TIMED_OUT = _("The work took longer than %(seconds)s seconds and was stopped.")


class LeaseLost(Exception):
    """This delivery no longer holds the job (another delivery took it over)."""


def max_attempts() -> int:
    return int(settings.KV_QUEUE_MAX_ATTEMPTS)


def lease_seconds() -> int:
    return int(settings.KV_JOB_LEASE_SECONDS)


def _stored_text(message: Any, **params: Any) -> str:
    """A message in the interface language, as stored on the row."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(message) % params if params else str(message)


# --------------------------------------------------------------------------
# Putting work on the queue


def enqueue_on_commit(task: str, /, **kwargs: Any) -> None:
    """Queue ``task`` (dotted path) with ``kwargs`` once this transaction
    commits; immediately when no transaction is open."""
    clash = RESERVED_KWARGS & set(kwargs)
    if clash:
        raise ValueError(f"task arguments may not be named {sorted(clash)}")
    transaction.on_commit(partial(enqueue_now, task, **kwargs))


def enqueue_now(task: str, /, **kwargs: Any) -> str:
    """Queue ``task`` now (inside a transaction: visible when it commits)."""
    from django_q.tasks import async_task

    options = {"group": task, "task_name": f"{task.rsplit('.', 1)[-1]}"}
    if getattr(settings, "KV_TASKS_SYNC", False):
        # Tests: run it here as a worker would; a failure is the job's, not
        # the caller's, exactly as with a real worker.
        try:
            return async_task(task, q_options={**options, "sync": True}, **kwargs)
        except Exception:
            logger.exception("task %s failed (run in-process)", task)
            return ""
    return async_task(task, q_options=options, **kwargs)


# --------------------------------------------------------------------------
# Job rows


class JobFields(models.Model):
    """What a user sees of one piece of background work (abstract).

    The concrete model declares the state field (``job_state_field``, values
    of :class:`JobState`) and the task that runs it (``job_task``, called
    with ``job_pk=``).
    """

    job_state_field: ClassVar[str] = "status"
    job_task: ClassVar[str] = ""

    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    progress_note = models.CharField(_("step"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    lease_token = models.CharField(max_length=32, blank=True, editable=False)
    lease_expires_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def job_state(self) -> str:
        return getattr(self, self.job_state_field)

    @property
    def is_finished(self) -> bool:
        return self.job_state in (JobState.DONE, JobState.FAILED)

    @property
    def is_waiting_for_retry(self) -> bool:
        """Queued again after a failed attempt."""
        return self.job_state == JobState.QUEUED and self.attempts > 0

    @property
    def max_attempts(self) -> int:
        return max_attempts()

    @property
    def progress_percent(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, round(100 * self.progress_done / self.progress_total))


J = TypeVar("J", bound=JobFields)


def job_models() -> list[type[JobFields]]:
    """Every installed model that is a job row."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, JobFields) and model.job_task
    ]


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


@transaction.atomic
def job_retry(job: JobFields) -> bool:
    """Queue a failed job again with fresh attempts (its owner asked);
    returns False when it was not failed (someone retried it already)."""
    model = type(job)
    state = model.job_state_field
    now = timezone.now()
    retried = model._default_manager.filter(
        pk=job.pk, **{state: JobState.FAILED}
    ).update(
        **{state: JobState.QUEUED},
        attempts=0,
        queued_at=now,
        started_at=None,
        finished_at=None,
        progress_done=0,
        progress_total=None,
        progress_note="",
        error="",
    )
    if retried:
        enqueue_on_commit(model.job_task, job_pk=job.pk)
        job.refresh_from_db()
    return bool(retried)


def jobs_recover(
    *, model: type[JobFields] | None = None, grace_seconds: int | None = None
) -> int:
    """Put back on the queue the jobs whose task was lost; returns how many.

    Normally django-q2 delivers a task again by itself; this catches what it
    cannot: a task lost before it reached the queue (the web process died
    between commit and enqueue), or a job whose worker died on its last
    attempt. A job queued, or running without a live lease, for longer than
    ``grace_seconds`` (default: the queue's retry time plus five minutes) is
    queued again; one without attempts left is failed. Delivering twice is
    harmless: only one delivery can claim the job.
    """
    if grace_seconds is None:
        grace_seconds = int(settings.KV_QUEUE_RETRY) + 300
    cutoff = timezone.now() - datetime.timedelta(seconds=grace_seconds)
    count = 0
    for job_model in [model] if model else job_models():
        state = job_model.job_state_field
        manager = job_model._default_manager
        dead = Q(**{state: JobState.RUNNING}) & (
            Q(lease_expires_at__lt=cutoff) | Q(lease_expires_at__isnull=True)
        )
        stalled = Q(**{state: JobState.QUEUED}, queued_at__lt=cutoff) | dead
        pks = list(manager.filter(stalled).values_list("pk", flat=True)[:500])
        for pk in pks:
            with transaction.atomic():
                requeued = manager.filter(
                    stalled, pk=pk, attempts__lt=max_attempts()
                ).update(
                    **{state: JobState.QUEUED},
                    queued_at=timezone.now(),
                    lease_token="",
                    lease_expires_at=None,
                )
                if requeued:
                    enqueue_on_commit(job_model.job_task, job_pk=pk)
                    count += 1
                else:
                    _fail_if_exhausted(job_model, pk, stalled)
    return count


# --------------------------------------------------------------------------
# Periodic work


def _next_run(periodic: Any, now: datetime.datetime) -> datetime.datetime:
    local = timezone.localtime(now)
    if periodic.every == "minutes":
        return now
    hour, minute = (int(part) for part in periodic.at.split(":"))
    candidate = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if periodic.every == "monthly":
        candidate = candidate.replace(day=1)
        if candidate <= local:
            year = candidate.year + candidate.month // 12
            month = candidate.month % 12 + 1
            candidate = candidate.replace(year=year, month=month)
    elif candidate <= local:
        candidate += datetime.timedelta(days=1)
    return candidate


SCHEDULE_TYPES = {"minutes": "I", "daily": "D", "monthly": "M"}


def schedules_ensure() -> list[str]:
    """Write every declared periodic task to django-q2's schedule table.

    New ones get their first run (the next ``at`` time; at once for those
    running every few minutes); changed ones are updated, keeping their next
    run; a schedule the application no longer declares is removed. Returns
    the names written. Runs after every ``migrate``.
    """
    from django_q.models import Schedule

    from core.registry import periodic_tasks

    now = timezone.now()
    names = []
    for periodic in periodic_tasks():
        name = SCHEDULE_PREFIX + periodic.name
        values = {
            "func": periodic.func,
            "schedule_type": SCHEDULE_TYPES[periodic.every],
            "minutes": periodic.minutes,
            "repeats": -1,
        }
        schedule = Schedule.objects.filter(name=name).first()
        if schedule is None:
            Schedule.objects.create(
                name=name, next_run=_next_run(periodic, now), **values
            )
        elif any(getattr(schedule, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(schedule, key, value)
            schedule.save()
        names.append(name)
    Schedule.objects.filter(name__startswith=SCHEDULE_PREFIX).exclude(
        name__in=names
    ).delete()
    return names


# Names of the application's own schedules start with this.
SCHEDULE_PREFIX = "kv: "

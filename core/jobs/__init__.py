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

The package, one module per concept: ``queue`` (putting work on the
queue), ``rows`` (:class:`JobFields`, :class:`JobState`), ``running`` (a
delivery claims, holds and finishes a job: :class:`Lease`, :func:`run_job`),
``recovery`` (:func:`job_retry`, :func:`jobs_recover`) and ``schedules``
(:func:`schedules_ensure`). Import from ``core.jobs``: every public name is
re-exported here.
"""

from core.jobs.queue import RESERVED_KWARGS, enqueue_now, enqueue_on_commit
from core.jobs.recovery import job_retry, jobs_recover
from core.jobs.rows import J, JobFields, JobState, job_models, max_attempts
from core.jobs.running import (
    KEEP,
    PROGRESS_INTERVAL,
    TIMED_OUT,
    WORKER_LOST,
    Lease,
    LeaseLost,
    describe_error,
    job_claim,
    job_fail,
    job_progress,
    lease_seconds,
    run_job,
)
from core.jobs.schedules import SCHEDULE_PREFIX, SCHEDULE_TYPES, schedules_ensure

__all__ = [
    "KEEP",
    "PROGRESS_INTERVAL",
    "RESERVED_KWARGS",
    "SCHEDULE_PREFIX",
    "SCHEDULE_TYPES",
    "TIMED_OUT",
    "WORKER_LOST",
    "J",
    "JobFields",
    "JobState",
    "Lease",
    "LeaseLost",
    "describe_error",
    "enqueue_now",
    "enqueue_on_commit",
    "job_claim",
    "job_fail",
    "job_models",
    "job_progress",
    "job_retry",
    "jobs_recover",
    "lease_seconds",
    "max_attempts",
    "run_job",
    "schedules_ensure",
]

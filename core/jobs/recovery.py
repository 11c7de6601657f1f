"""Jobs taken up again: a failed job its owner retries, and jobs whose
task was lost put back on the queue (every few minutes).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.jobs.queue import enqueue_on_commit
from core.jobs.rows import JobFields, JobState, job_models, max_attempts
from core.jobs.running import _fail_if_exhausted


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

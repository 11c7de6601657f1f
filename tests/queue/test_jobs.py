"""The job mechanics of core.jobs on a real job row (a research export):
one delivery at a time, take-over after a dead worker, retries up to the
limit, completion exactly once, recovery of lost tasks, retry by the owner."""

from __future__ import annotations

import datetime

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django_q.models import OrmQ

from core import jobs
from core.models import AuditEvent, AuditKind
from dashboards.models import ExportJob, ExportStatus
from tests.dashboards.builders import bijlage7_people
from tests.factories import ExportJobFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KV_QUEUE_MAX_ATTEMPTS = 3


@pytest.fixture
def job():
    site, _stays = bijlage7_people()
    researcher = user_with_role("researcher", site, username="rita")
    return ExportJobFactory(
        sites=[site], status=ExportStatus.QUEUED, created_by=researcher
    )


def _expire_lease(job):
    ExportJob.objects.filter(pk=job.pk).update(
        lease_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )


def test_only_one_delivery_holds_a_job(job):
    first = jobs.job_claim(ExportJob, job.pk)
    assert first is not None
    assert jobs.job_claim(ExportJob, job.pk) is None
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ExportStatus.RUNNING, 1)


def test_a_job_whose_worker_died_is_taken_over_and_completed_once(job):
    dead = jobs.job_claim(ExportJob, job.pk)
    dead.progress(done=10, total=100, force=True)
    _expire_lease(job)
    # the queue delivers the task again: the new delivery takes the job over
    assert ExportJob.objects.get(pk=job.pk).progress_done == 10
    assert jobs.run_job(ExportJob, job.pk, _finish_with_audit) == "done"
    # the first worker wakes up: it can neither report nor finish any more
    with pytest.raises(jobs.LeaseLost):
        dead.progress(done=20, force=True)
    with pytest.raises(jobs.LeaseLost), dead.finishing():
        pytest.fail("a lost lease must not finish the job")
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ExportStatus.DONE, 2)
    assert AuditEvent.objects.filter(kind=AuditKind.EXPORT).count() == 1


def _finish_with_audit(lease):
    with lease.finishing() as finished:
        AuditEvent.objects.create(kind=AuditKind.EXPORT, summary=f"job {finished.pk}")


def test_a_failing_job_is_queued_again_with_its_reason_then_failed(job):
    def broken(lease):
        raise ValueError("the disk is full")

    for attempt in (1, 2):
        with pytest.raises(ValueError, match="disk is full"):
            jobs.run_job(ExportJob, job.pk, broken)
        job.refresh_from_db()
        assert (job.status, job.attempts) == (ExportStatus.QUEUED, attempt)
        assert job.error == "ValueError: the disk is full"
        assert job.is_waiting_for_retry
    with pytest.raises(ValueError, match="disk is full"):
        jobs.run_job(ExportJob, job.pk, broken)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ExportStatus.FAILED, 3)
    assert job.error == "ValueError: the disk is full"
    # a late delivery of the same task does nothing
    assert jobs.run_job(ExportJob, job.pk, broken) == "nothing to do"


def test_a_job_whose_every_worker_died_is_failed_with_a_reason(job):
    for _attempt in range(3):
        assert jobs.job_claim(ExportJob, job.pk) is not None
        _expire_lease(job)
    assert jobs.job_claim(ExportJob, job.pk) is None
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    assert "3 keer gestopt" in job.error


def test_a_timeout_is_reported_in_words(job, settings):
    from django_q.exceptions import TimeoutException

    settings.KV_QUEUE_TIMEOUT = 1800

    def slow(lease):
        raise TimeoutException("Task exceeded maximum timeout value (1800 seconds)")

    with pytest.raises(TimeoutException):
        jobs.run_job(ExportJob, job.pk, slow)
    job.refresh_from_db()
    assert job.error == "Het werk duurde langer dan 1800 seconden en is gestopt."


def test_progress_is_written_at_most_every_few_seconds_unless_forced(
    job, django_assert_num_queries
):
    lease = jobs.job_claim(ExportJob, job.pk)
    with django_assert_num_queries(1):
        lease.progress(done=1, total=5)
    with django_assert_num_queries(0):
        for done in range(2, 100):
            lease.progress(done=done)
    with django_assert_num_queries(1):
        lease.progress(done=100, note="verblijven", force=True)
    job.refresh_from_db()
    assert (job.progress_done, job.progress_total, job.progress_note) == (
        100,
        5,
        "verblijven",
    )


def test_an_export_reports_rows_and_sheet_while_it_is_built(job):
    seen = []

    def record(sender, job_pk, done, **kwargs):
        seen.append(ExportJob.objects.get(pk=job_pk).progress_note)

    jobs.job_progress.connect(record)
    try:
        from dashboards.tasks import export_job_run

        assert export_job_run(job_pk=job.pk) == "done"
    finally:
        jobs.job_progress.disconnect(record)
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE
    assert job.progress_done == job.row_count > 0
    assert seen[0].startswith("personen_lang (1/")


def test_a_request_queues_the_task_only_when_its_transaction_commits(
    client, settings, job
):
    settings.KV_TASKS_SYNC = False
    client.force_login(job.created_by)
    site = job.sites.get()
    data = {"start": "2018-01-01", "end": "2020-09-15", "sites": [site.pk]}
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        client.post(reverse("dashboards:export_list"), {**data, "format": "csv"})
    assert not OrmQ.objects.exists()
    for callback in callbacks:
        callback()
    (message,) = OrmQ.objects.all()
    new = ExportJob.objects.exclude(pk=job.pk).get()
    assert message.func() == "dashboards.tasks.export_job_run"
    assert message.kwargs() == {"job_pk": new.pk}


def test_lost_jobs_are_queued_again_and_built(job, settings):
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    ExportJob.objects.filter(pk=job.pk).update(queued_at=long_ago)
    running = ExportJobFactory(
        sites=list(job.sites.all()),
        status=ExportStatus.RUNNING,
        lease_expires_at=long_ago,
        attempts=1,
    )
    exhausted = ExportJobFactory(
        sites=list(job.sites.all()),
        status=ExportStatus.RUNNING,
        lease_expires_at=long_ago,
        attempts=3,
    )
    fresh = ExportJobFactory(sites=list(job.sites.all()), status=ExportStatus.QUEUED)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert jobs.jobs_recover(grace_seconds=3600) == 2
    statuses = dict(ExportJob.objects.values_list("pk", "status"))
    assert statuses[job.pk] == statuses[running.pk] == ExportStatus.DONE
    assert statuses[exhausted.pk] == ExportStatus.FAILED
    assert statuses[fresh.pk] == ExportStatus.QUEUED  # its task is still coming


def test_only_the_owner_retries_a_failed_export_and_it_is_audited(client, job):
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.FAILED, attempts=3, error="OSError: disk full"
    )
    colleague = user_with_role("researcher", job.sites.get(), username="ruud")
    url = reverse("dashboards:export_retry", args=[job.pk])
    detail = reverse("dashboards:export_detail", args=[job.pk])

    client.force_login(colleague)
    page = client.get(detail).content.decode()
    assert "OSError: disk full" in page
    assert url not in page
    client.post(url)
    assert ExportJob.objects.get(pk=job.pk).status == ExportStatus.FAILED

    client.force_login(job.created_by)
    page = client.get(detail).content.decode()
    assert 'id="job-retry-form"' in page
    assert url in page
    assert client.get(url).status_code == 405
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(url).status_code == 302
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == (ExportStatus.DONE, 1, "")
    retried = AuditEvent.objects.get(kind=AuditKind.EXPORT, details__retry=True)
    assert retried.actor == job.created_by
    assert retried.details["previous_error"] == "OSError: disk full"


def test_the_export_page_refreshes_itself_until_the_export_is_finished(client, job):
    client.force_login(job.created_by)
    detail = reverse("dashboards:export_detail", args=[job.pk])
    refresh = '<meta http-equiv="refresh"'
    assert refresh in client.get(detail).content.decode()
    lease = jobs.job_claim(ExportJob, job.pk)
    lease.progress(done=1234, note="verblijven (6/8)", force=True)
    page = client.get(detail).content.decode()
    assert refresh in page
    assert "1234 rijen geschreven" in page
    assert "verblijven (6/8)" in page
    with lease.finishing():
        pass
    page = client.get(detail).content.decode()
    assert refresh not in page
    assert 'id="download"' in page

"""Background work with a real worker process: a killed worker's export is
taken over and completed once, a failing export is retried to the limit and
shown failed, the daily schedule job creates tussenmetingen by itself, and
the reminder e-mail goes out with the right counts and no names."""

from __future__ import annotations

import datetime
import email
import io
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django_q.models import Failure, OrmQ, Schedule, Success
from openpyxl import load_workbook

from core.jobs import enqueue_now
from core.models import AuditEvent, AuditKind
from dashboards.exports.datasets import ExportFilters
from dashboards.exports.services import export_job_create
from dashboards.models import ExportJob, ExportStatus
from evaluation.models import Measurement
from evaluation.services import schedule_sync_for_stay
from tests.dashboards.builders import bijlage7_people
from tests.factories import StayFactory, catalogue_from_data, user_with_role
from tests.queue.builders import CASEMANAGER_COUNTS, RESEARCHER_COUNTS, waiting_work
from tests.queue.conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

EXPORT_TASK = "dashboards.tasks.export_job_run"


def _request_export(fmt: str = "xlsx") -> ExportJob:
    site, _stays = bijlage7_people()
    researcher = user_with_role("researcher", site, username="rita")
    filters = ExportFilters.from_json(
        {"site_ids": [site.pk], "start": "2018-01-01", "end": "2020-09-15"}
    )
    return export_job_create(user=researcher, filters=filters, format=fmt)


def _state(job: ExportJob) -> ExportJob:
    job.refresh_from_db()
    return job


def test_a_killed_worker_leaves_the_export_to_be_taken_over_and_completed_once(
    start_worker, tmp_path, settings
):
    paused = tmp_path / "paused"
    job = _request_export()
    first = start_worker(KV_TEST_PAUSE_FILE=str(paused))
    wait_for(
        paused.exists, "the first worker to be in the middle of the export", [first]
    )
    job = _state(job)
    assert (job.status, job.attempts) == (ExportStatus.RUNNING, 1)
    assert job.progress_note  # it reported which sheet it was writing

    first.kill()
    second = start_worker()
    wait_for(
        lambda: _state(job).status == ExportStatus.DONE,
        "the export to be completed by the second worker",
        [second],
    )
    assert job.attempts == 2
    assert job.row_count > 0
    # completed once: one file, one audit entry, one successful task
    files = list(Path(settings.MEDIA_ROOT, "exports").iterdir())
    assert [f.name for f in files] == [Path(job.file.name).name]
    workbook = load_workbook(io.BytesIO(files[0].read_bytes()), read_only=True)
    assert workbook.sheetnames[:2] == ["over_dit_bestand", "codebook"]
    audited = AuditEvent.objects.filter(kind=AuditKind.EXPORT, details__export=job.pk)
    assert audited.count() == 1
    wait_for(lambda: not OrmQ.objects.exists(), "the task to be acknowledged", [second])
    assert Success.objects.filter(func=EXPORT_TASK).count() == 1


def test_a_failing_export_is_retried_to_the_limit_and_shown_failed_with_its_reason(
    start_worker, tmp_path, settings, client
):
    settings.KV_QUEUE_MAX_ATTEMPTS = 2
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the media folder should be")
    job = _request_export("csv")
    worker = start_worker(
        MEDIA_ROOT=str(blocked / "media"),
        KV_QUEUE_TIMEOUT="15",
        KV_QUEUE_RETRY="18",
    )
    wait_for(
        lambda: _state(job).status == ExportStatus.FAILED,
        "the export to fail for good",
        [worker],
    )
    assert job.attempts == 2
    assert "NotADirectoryError" in job.error
    assert "blocked" in job.error
    # the queue records both failed attempts (visible in the admin) and, at
    # the limit, stops handing the task out
    wait_for(
        lambda: Failure.objects.filter(func=EXPORT_TASK, attempt_count=2).exists(),
        "the queue to record the second failed attempt",
        [worker],
    )
    wait_for(lambda: not OrmQ.objects.exists(), "the task to be given up", [worker])

    # the researcher sees why, and may try again once the cause is gone
    client.force_login(job.created_by)
    page = client.get(reverse("dashboards:export_detail", args=[job.pk]))
    text = page.content.decode()
    assert "Dit werk is mislukt" in text
    assert escape(job.error) in text
    assert 'id="job-retry-form"' in text
    worker.kill()
    good = start_worker()
    client.post(reverse("dashboards:export_retry", args=[job.pk]))
    wait_for(
        lambda: _state(job).status == ExportStatus.DONE,
        "the retried export to be built",
        [good],
    )
    assert job.error == ""


def test_the_daily_schedule_job_creates_the_tussenmetingen_that_fell_due(
    start_worker, almelo, settings
):
    settings.KV_TUSSENMETING_INTERVAL_DAYS = 90
    today = timezone.localdate()
    catalogue_from_data(almelo)
    placed = today - datetime.timedelta(days=400)
    stay = StayFactory(
        site=almelo,
        placed_on=placed,
        expected_end=placed + datetime.timedelta(days=200),
    )
    schedule_sync_for_stay(stay=stay, today=placed)
    due_later = Measurement.objects.filter(
        stay=stay, moment="tussenmeting", due_on__gte=today
    )
    assert not due_later.exists()
    # the application's own daily schedule, due now
    Schedule.objects.filter(name="kv: measurement schedules").update(
        next_run=timezone.now() - datetime.timedelta(minutes=1)
    )
    worker = start_worker()
    wait_for(due_later.exists, "the scheduler to run the daily sync", [worker])
    wait_for(
        Success.objects.filter(
            func="evaluation.tasks.measurement_schedules_sync"
        ).exists,
        "the task's success to be recorded",
        [worker],
    )
    next_run = Schedule.objects.get(name="kv: measurement schedules").next_run
    assert next_run > timezone.now()


def _mails(folder: Path) -> list[email.message.Message]:
    if not folder.exists():
        return []
    messages = []
    for path in sorted(folder.iterdir()):
        for chunk in path.read_bytes().split(b"-" * 79):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk.strip()))
    return messages


def test_the_reminder_e_mail_goes_out_with_the_right_counts_and_no_names(
    start_worker, tmp_path
):
    work = waiting_work()
    worker = start_worker()
    func = Schedule.objects.get(name="kv: reminder e-mails").func
    enqueue_now(func)
    mails = wait_for(
        lambda: len(_mails(tmp_path / "mail")) >= 2 and _mails(tmp_path / "mail"),
        "two reminder e-mails",
        [worker],
    )
    by_recipient = {
        message["To"]: message.get_payload(decode=True).decode() for message in mails
    }
    assert set(by_recipient) == {work.researcher.email, work.casemanager.email}
    assert "Metingen die open staan: 1" in by_recipient[work.researcher.email]
    casemanager_text = by_recipient[work.casemanager.email]
    assert "Intakestappen over hun datum: 1" in casemanager_text
    assert "Mensen in een verblijf zonder nodige toestemming: 1" in casemanager_text
    for text in by_recipient.values():
        for secret in (
            work.person.last_name,
            work.person.pseudonym,
            work.candidate.last_name,
            work.candidate.pseudonym,
        ):
            assert secret not in text
    counts = {
        event.actor_username: event.details["counts"]
        for event in AuditEvent.objects.filter(kind=AuditKind.DIGEST)
    }
    assert counts == {
        work.researcher.username: RESEARCHER_COUNTS,
        work.casemanager.username: CASEMANAGER_COUNTS,
    }


def test_the_worker_recomputes_the_overview_a_project_leader_reads(
    start_worker, client, settings
):
    """The national overview is served from figures the worker recomputes:
    a stay placed after they were computed shows once the worker's minute
    schedule has run, without any request computing them."""
    from dashboards.models import MaterialisedFigures
    from tests.dashboards.builders import site_with_three_stays
    from trajectories.models import Stay

    settings.KV_OVERVIEW_MATERIALISED = True
    site, stays = site_with_three_stays("almelo")
    client.force_login(user_with_role("project_leader", site))
    period = {"start": "2024-01-01", "end": "2024-03-31"}

    def inflow() -> int:
        response = client.get(reverse("dashboards:overview"), period)
        return sum(summary.inflow for _site, summary in response.context["sites"])

    assert inflow() == 3
    Stay.objects.create(
        site=site,
        person=stays[0].person,
        place_type=stays[0].place_type,
        placed_on=datetime.date(2024, 3, 25),
    )
    assert inflow() == 3  # served from the row until the worker recomputes it
    computed = MaterialisedFigures.objects.get().computed_at
    MaterialisedFigures.objects.update(
        computed_at=computed - datetime.timedelta(minutes=10)
    )
    Schedule.objects.filter(name="kv: programme overview figures").update(
        next_run=timezone.now() - datetime.timedelta(minutes=1)
    )
    worker = start_worker(KV_OVERVIEW_MATERIALISED="True")
    wait_for(
        lambda: MaterialisedFigures.objects.get().computed_at > computed,
        "the worker to recompute the overview",
        [worker],
    )
    assert inflow() == 4

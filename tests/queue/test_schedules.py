"""Periodic work is scheduled by the application itself after migrate."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_q.models import Schedule

from core.jobs import SCHEDULE_PREFIX, schedules_ensure

pytestmark = pytest.mark.django_db

EXPECTED = {
    "kv: worker heartbeat": ("core.tasks.worker_heartbeat", "I", 1),
    "kv: recover lost jobs": ("core.tasks.jobs_recover", "I", 5),
    "kv: reminder e-mails": ("core.tasks.reminder_digests_send", "D", None),
    "kv: retention listing": ("core.tasks.retention_listing_monthly", "M", None),
    "kv: measurement schedules": (
        "evaluation.tasks.measurement_schedules_sync",
        "D",
        None,
    ),
    "kv: stage reach check": ("intake.tasks.stage_reach_check", "D", None),
    "kv: answer summaries check": (
        "evaluation.tasks.answer_summaries_check",
        "D",
        None,
    ),
    "kv: programme overview figures": (
        "dashboards.tasks.overview_figures_refresh",
        "I",
        1,
    ),
}


def _schedules():
    return {
        s.name: (s.func, s.schedule_type, s.minutes)
        for s in Schedule.objects.filter(name__startswith=SCHEDULE_PREFIX)
    }


def test_migrate_creates_every_periodic_task():
    Schedule.objects.all().delete()
    call_command("migrate", verbosity=0)
    assert _schedules() == EXPECTED
    for schedule in Schedule.objects.all():
        assert schedule.repeats == -1


def test_every_scheduled_function_exists():
    from django.utils.module_loading import import_string

    for func, _type, _minutes in EXPECTED.values():
        assert callable(import_string(func))


def test_daily_jobs_run_at_night_and_in_the_morning_in_local_time():
    schedules_ensure()
    runs = {
        s.name: timezone.localtime(s.next_run)
        for s in Schedule.objects.filter(name__startswith=SCHEDULE_PREFIX)
    }
    assert (
        runs["kv: measurement schedules"].hour,
        runs["kv: reminder e-mails"].hour,
    ) == (
        2,
        7,
    )
    assert runs["kv: retention listing"].day == 1
    assert runs["kv: worker heartbeat"] <= timezone.now()


def test_ensuring_again_keeps_next_runs_and_removes_what_is_no_longer_declared():
    schedules_ensure()
    Schedule.objects.filter(name="kv: reminder e-mails").update(next_run=timezone.now())
    before = Schedule.objects.get(name="kv: reminder e-mails").next_run
    Schedule.objects.create(name="kv: something old", func="core.tasks.gone")
    Schedule.objects.create(name="made by an administrator", func="x.y")
    schedules_ensure()
    assert Schedule.objects.get(name="kv: reminder e-mails").next_run == before
    assert not Schedule.objects.filter(name="kv: something old").exists()
    assert Schedule.objects.filter(name="made by an administrator").exists()

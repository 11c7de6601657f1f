"""The health endpoint a load balancer polls: no login, no personal data,
200 only when database, migrations, worker and queue are fine."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_q.models import OrmQ

from core.models import WorkerHeartbeat
from core.tasks import worker_heartbeat

pytestmark = pytest.mark.django_db

URL = "/health/"


def test_the_url_is_stable():
    assert reverse("core:health") == URL


def test_healthy_after_a_heartbeat_without_login(client):
    worker_heartbeat()
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": "ok",
            "migrations": "ok",
            "worker": "ok",
            "queue": "ok",
        },
    }
    assert "no-cache" in response["Cache-Control"]


def test_no_worker_heartbeat_is_unhealthy(client):
    response = client.get(URL)
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "no heartbeat yet"


def test_an_old_heartbeat_is_unhealthy(client, settings):
    settings.KV_HEALTH_HEARTBEAT_MAX_AGE = 180
    WorkerHeartbeat.objects.create(
        name="worker", beat_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    response = client.get(URL)
    assert response.status_code == 503
    assert response.json()["checks"]["worker"].startswith("last heartbeat 6")


def test_a_task_waiting_too_long_is_unhealthy(client, settings):
    settings.KV_HEALTH_QUEUE_MAX_WAIT = 600
    worker_heartbeat()
    now = timezone.now()
    OrmQ.objects.create(key="kvmonitor", payload="x", lock=now)  # just queued
    # taken by a worker, held until the retry time: not waiting
    OrmQ.objects.create(
        key="kvmonitor", payload="x", lock=now + datetime.timedelta(minutes=30)
    )
    assert client.get(URL).status_code == 200
    OrmQ.objects.create(
        key="kvmonitor", payload="x", lock=now - datetime.timedelta(minutes=11)
    )
    response = client.get(URL)
    assert response.status_code == 503
    assert response.json()["checks"]["queue"] == "tasks waiting too long"


def test_unapplied_migrations_are_unhealthy(client, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    from core.views import health

    worker_heartbeat()
    monkeypatch.setattr(health, "_migrations_applied", False)
    monkeypatch.setattr(
        MigrationExecutor, "migration_plan", lambda self, targets: [("x", False)]
    )
    response = client.get(URL)
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "1 unapplied"


def test_cheap_enough_to_poll(client, django_assert_max_num_queries):
    worker_heartbeat()
    client.get(URL)  # the migration check is done once per process
    with django_assert_max_num_queries(3):
        assert client.get(URL).status_code == 200


def test_reachable_over_plain_http_behind_a_tls_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    worker_heartbeat()
    assert client.get(URL).status_code == 200
    assert client.get(reverse("core:health_web")).status_code == 200
    assert client.get(reverse("core:home")).status_code == 301


def test_the_web_check_ignores_the_workers_so_a_load_balancer_keeps_serving(client):
    """With no worker running, /health/ fails but /health/web/ passes."""
    assert client.get(URL).status_code == 503
    response = client.get(reverse("core:health_web"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok"},
    }

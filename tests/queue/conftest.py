"""A real worker process (``manage.py qcluster``) for the tests of
tests/queue that need one: started by the test against the test database,
stopped (or killed) by it. Queue timings are small through the environment;
tests wait for results with generous deadlines and never assert durations."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 180  # seconds; generous for a loaded 2-core machine


@dataclass
class Worker:
    process: subprocess.Popen
    log: Path

    def kill(self) -> None:
        """SIGKILL the whole cluster (main, sentinel, pusher, workers)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def database_url() -> str:
    """The test database, as DATABASE_URL for the worker."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = quote(db["USER"] or "", safe="")
    password = quote(db["PASSWORD"] or "", safe="")
    return (
        f"postgres://{user}:{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


@pytest.fixture
def start_worker(
    transactional_db: None, settings: Any, tmp_path: Path
) -> Iterator[Callable[..., Worker]]:
    """``start_worker(**environment)`` starts a worker cluster; every worker
    is stopped after the test. The test process queues tasks instead of
    running them (KV_TASKS_SYNC off)."""
    settings.KV_TASKS_SYNC = False
    settings.MEDIA_ROOT = tmp_path / "media"
    started: list[Worker] = []

    def start(**environment: str) -> Worker:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("KV_TEST_")},
            "DJANGO_SETTINGS_MODULE": "tests.queue.worker_settings",
            "DATABASE_URL": database_url(),
            "KV_TASKS_SYNC": "False",
            "KV_QUEUE_WORKERS": "1",
            "KV_QUEUE_POLL_SECONDS": "0.2",
            "KV_QUEUE_TIMEOUT": "30",
            "KV_QUEUE_RETRY": "35",
            "KV_QUEUE_MAX_ATTEMPTS": str(settings.KV_QUEUE_MAX_ATTEMPTS),
            "KV_JOB_LEASE_SECONDS": "5",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "KV_TEST_MAIL_DIR": str(tmp_path / "mail"),
            **environment,
        }
        log = tmp_path / f"worker-{len(started)}.log"
        with log.open("w") as handle:
            process = subprocess.Popen(
                [sys.executable, "manage.py", "qcluster"],
                cwd=ROOT,
                env=env,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = Worker(process, log)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.kill()


def wait_for(
    condition: Callable[[], Any], what: str, workers: list[Worker] | None = None
) -> Any:
    """Poll ``condition`` until it is true; fail after ``DEADLINE`` seconds
    with the workers' output."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    logs = "\n".join(worker.output() for worker in workers or [])
    raise AssertionError(f"gave up waiting for {what}\n{logs}")

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from django.apps import AppConfig


def _pause_in_the_middle(sender: Any, job_pk: int, **kwargs: Any) -> None:
    marker = os.environ.get("KV_TEST_PAUSE_FILE")
    if not marker or Path(marker).exists():
        return
    Path(marker).write_text(str(job_pk))
    time.sleep(600)  # the test kills this process long before


class PauseConfig(AppConfig):
    name = "tests.queue.pause"
    label = "kv_test_pause"

    def ready(self) -> None:
        from core.jobs import job_progress

        job_progress.connect(_pause_in_the_middle, dispatch_uid="kv_test_pause")

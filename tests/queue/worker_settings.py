"""Settings of the real worker process that tests/queue start: the test
settings, the database the test process gives it (DATABASE_URL), tasks on
the queue (not in-process), mail written to files the test reads."""

from __future__ import annotations

import os

from kvmonitor.settings_test import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.queue.pause"]  # noqa: F405
KV_TASKS_SYNC = False
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ.get("KV_TEST_MAIL_DIR", "/nonexistent")

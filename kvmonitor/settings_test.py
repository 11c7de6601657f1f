"""Test settings: the real settings with a test secret and fast hashing."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-used-anywhere-else")
os.environ.setdefault("SECURE_SSL_REDIRECT", "False")
os.environ.setdefault(
    "STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage"
)
# Tasks run in the test process; tests with a real worker turn this off.
os.environ.setdefault("KV_TASKS_SYNC", "True")
# Pages compute their figures; tests/dashboards/test_materialised.py turns
# the materialised overview on.
os.environ.setdefault("KV_OVERVIEW_MATERIALISED", "False")
# Tests log in with force_login; the second factor has its own tests
# (tests/core/test_two_factor.py), which require it for every role.
os.environ.setdefault(
    "KV_TWO_FACTOR_EXEMPT_ROLES",
    "casemanager,project_leader,researcher,functional_admin,superuser",
)

from kvmonitor.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # Tests with a real worker process (tests/queue) share the test database
    # with it, so on SQLite it is a file, not memory; one per test run.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(
            Path(tempfile.gettempdir()) / f"kvmonitor-test-{os.getpid()}.sqlite3"
        )
    }

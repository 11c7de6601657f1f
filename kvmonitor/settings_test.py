"""Test settings: the real settings with a test secret and fast hashing."""

from __future__ import annotations

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-used-anywhere-else")
os.environ.setdefault("SECURE_SSL_REDIRECT", "False")
os.environ.setdefault(
    "STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage"
)
# Tests log in with force_login; the second factor has its own tests
# (tests/core/test_two_factor.py), which require it for every role.
os.environ.setdefault(
    "KV_TWO_FACTOR_EXEMPT_ROLES",
    "casemanager,project_leader,researcher,functional_admin,superuser",
)

from kvmonitor.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

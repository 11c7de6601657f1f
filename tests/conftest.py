"""Shared fixtures: the cast of users per role and site, and browser setup."""

from __future__ import annotations

import os

import pytest

from core.scoping import Role
from tests.factories import SiteFactory, user_with_role

# Playwright's sync API keeps an event loop running in the main thread; the
# ORM calls in browser tests are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def almelo(db):
    return SiteFactory(code="almelo", name="KV Almelo", alias="Huis van Herstel")


@pytest.fixture
def krimpen(db):
    return SiteFactory(code="krimpen", name="KV Krimpen aan den IJssel")


@pytest.fixture
def casemanager_almelo(almelo):
    return user_with_role(Role.CASEMANAGER, almelo, username="alice")


@pytest.fixture
def casemanager_krimpen(krimpen):
    return user_with_role(Role.CASEMANAGER, krimpen, username="bob")


@pytest.fixture
def project_leader_almelo(almelo):
    return user_with_role(Role.PROJECT_LEADER, almelo, username="paula")


@pytest.fixture
def researcher_almelo(almelo):
    return user_with_role(Role.RESEARCHER, almelo, username="rita")


@pytest.fixture
def admin_almelo(almelo):
    return user_with_role(Role.FUNCTIONAL_ADMIN, almelo, username="frank")

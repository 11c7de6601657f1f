"""GET never changes data, and every POST needs a CSRF token.

Every URL pattern of the project is requested (the same enumeration as the
permission matrix), so a new view is covered without editing this test.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from core.models import AuditEvent
from core.scoping import Role
from tests.factories import SiteFactory, user_with_role
from tests.hardening.routes import all_routes, table_rows, url_for
from tests.world import build_world

AUDIT_TABLE = AuditEvent._meta.db_table
ROLES = [Role.CASEMANAGER, Role.PROJECT_LEADER, Role.RESEARCHER, Role.FUNCTIONAL_ADMIN]


@pytest.fixture
def world(db):
    site = SiteFactory(code="eigen", name="KV Eigen")
    return site, build_world(site, "OWNMARK")


@pytest.mark.parametrize("role", ROLES)
def test_get_on_every_url_changes_nothing(client, world, role):
    site, objects = world
    client.force_login(user_with_role(role, site))
    before = table_rows()

    statuses = {}
    for route in all_routes():
        response = client.get(url_for(route, objects))
        statuses[route.name] = response.status_code

    after = table_rows()
    changed = [
        table
        for table in before
        if before[table] != after[table] and table != AUDIT_TABLE
    ]
    assert changed == []
    # Reading a person's file (a plan downloaded as PDF) is logged: the audit
    # log may grow, but what it held stays as it was.
    assert after[AUDIT_TABLE][: len(before[AUDIT_TABLE])] == before[AUDIT_TABLE]
    assert [name for name, status in statuses.items() if status >= 500] == []
    # The walk reached real pages, not only refusals.
    assert sum(status == 200 for status in statuses.values()) >= 5


def test_get_as_anonymous_changes_nothing(client, world):
    _, objects = world
    before = table_rows()
    for route in all_routes():
        client.get(url_for(route, objects))
    assert table_rows() == before


@pytest.mark.parametrize("role", ROLES)
def test_post_without_csrf_token_is_refused_everywhere(world, role):
    site, objects = world
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_with_role(role, site))
    before = table_rows()

    accepted = []
    for route in all_routes():
        response = client.post(url_for(route, objects), {"note": "x"})
        if response.status_code != 403:
            accepted.append((route.name, response.status_code))

    assert accepted == []
    assert table_rows() == before


def test_login_and_logout_need_a_csrf_token(casemanager_almelo):
    client = Client(enforce_csrf_checks=True)
    login = client.post("/accounts/login/", {"username": "alice", "password": "x"})
    assert login.status_code == 403
    assert 'id="error-403-csrf"' in login.content.decode()


def test_post_with_csrf_token_is_accepted(world):
    """The refusal above is the token's doing: with it the same POST works."""
    site, _ = world
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_with_role(Role.CASEMANAGER, site))
    url = reverse("core:person_create")
    client.get(url)
    token = client.cookies["csrftoken"].value

    response = client.post(url, {"csrfmiddlewaretoken": token})

    assert response.status_code == 200

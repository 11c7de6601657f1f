"""On SQLite, pages that only read never queue behind another user's write
(an import holding the write lock): their transaction begins DEFERRED and the
write-ahead log lets them read while the write goes on. Writes still take
the lock at their start (IMMEDIATE), so they never fail halfway."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.scoping import Role
from tests.factories import PersonFactory, user_with_role

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's transaction modes"
)


def _begins(client, method: str, url: str, data=None) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        getattr(client, method)(url, data or {})
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("BEGIN")]


@pytest.mark.django_db(transaction=True)
def test_pages_that_read_begin_deferred_writes_begin_immediate(client, almelo):
    person = PersonFactory(site=almelo)
    client.force_login(user_with_role(Role.CASEMANAGER, almelo))
    for name, args in (("core:home", []), ("core:person_detail", [person.pk])):
        begins = _begins(client, "get", reverse(name, args=args))
        # the view's transaction; a session refresh after it still writes
        # with IMMEDIATE
        assert begins[0] == "BEGIN DEFERRED"
        assert begins.count("BEGIN DEFERRED") == 1
    edit = reverse("core:person_update", args=[person.pk])
    begins = _begins(client, "post", edit, {"first_name": "x"})
    assert begins
    assert set(begins) == {"BEGIN IMMEDIATE"}
    assert connection.transaction_mode == "IMMEDIATE"


def test_the_database_keeps_a_write_ahead_log(settings):
    options = settings.DATABASES["default"]["OPTIONS"]
    assert "journal_mode=WAL" in options["init_command"]
    assert options["transaction_mode"] == "IMMEDIATE"

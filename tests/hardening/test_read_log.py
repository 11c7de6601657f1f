"""Who looked at whose file: every page that shows one person's data, and
every export download, leaves a row in the read-access log with the user, the
time, the page and the client's address.

Every URL of the project that takes an object is requested (the same
enumeration as the permission matrix), so a new page is covered without
editing this test: wherever a response shows the person's name, DJI number or
research pseudonym, a read of that person must be logged.
"""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import AuditEvent, AuditKind, Person, ReadAccess
from core.request_context import close_context, current, open_context
from core.scoping import CASE_READ_ROLES, Role, get_visible_or_404
from tests.factories import ExportJobFactory, SiteFactory, user_with_role
from tests.hardening.routes import all_routes, body_text, url_for
from tests.world import build_world

ROLES = [Role.CASEMANAGER, Role.PROJECT_LEADER, Role.RESEARCHER, Role.FUNCTIONAL_ADMIN]
# Pages of a whole site list many people; they are not one person's file.
SITE_KEYWORDS = {"site_code"}
CLIENT = "192.0.2.44"


@pytest.fixture
def world(db):
    site = SiteFactory(code="eigen", name="KV Eigen")
    other = SiteFactory(code="ander", name="KV Ander")
    return site, build_world(site, "OWNMARK"), build_world(other, "ZZLEAKZZ")


def _shows(person: Person, body: str) -> bool:
    return any(
        value and value in body
        for value in (
            person.first_name,
            person.last_name,
            person.dji_number,
            person.pseudonym,
        )
    )


@pytest.mark.parametrize("role", ROLES)
def test_every_page_showing_one_persons_data_logs_the_read(client, world, role):
    site, own, _other = world
    user = user_with_role(role, site)
    client.force_login(user)
    person = own["_person"]
    shown, unlogged = [], []
    for route in all_routes():
        if not set(route.keywords) - SITE_KEYWORDS:
            continue
        url = url_for(route, own)
        response = client.get(url, REMOTE_ADDR=CLIENT)
        if response.status_code != 200 or not _shows(person, body_text(response)):
            continue
        shown.append(route.name)
        logged = ReadAccess.objects.filter(
            user=user, person=person, site=site, path=url, address=CLIENT
        )
        if logged.count() != 1:
            unlogged.append((route.name, logged.count()))
    assert unlogged == []
    # The walk reached the person's pages (researchers: pseudonymised ones).
    minimum = {Role.CASEMANAGER: 10, Role.PROJECT_LEADER: 5, Role.RESEARCHER: 1}
    assert len(shown) >= minimum.get(role, 0), shown


def test_a_refused_page_logs_nothing(client, world):
    site, _own, other = world
    client.force_login(user_with_role(Role.CASEMANAGER, site))
    response = client.get(reverse("core:person_detail", args=[other["person_pk"]]))
    assert response.status_code == 404
    assert not ReadAccess.objects.exists()


def test_fetching_a_persons_record_costs_no_extra_query(world):
    site, own, _other = world
    user = user_with_role(Role.CASEMANAGER, site)
    token = open_context("192.0.2.1")
    try:
        from trajectories.models import Goal

        with CaptureQueriesContext(connection) as queries:
            # (membership lookup, then the goal with its person and site)
            goal = get_visible_or_404(Goal, user, CASE_READ_ROLES, pk=own["goal_pk"])
        reads = current().reads
    finally:
        close_context(token)
    assert len(queries) == 2
    assert [(r.person_id, r.site_id, r.object_type, r.object_id) for r in reads] == [
        (own["person_pk"], site.pk, "trajectories.goal", goal.pk)
    ]


def test_a_person_page_writes_the_log_with_one_insert(client, world):
    site, own, _other = world
    client.force_login(user_with_role(Role.CASEMANAGER, site))
    url = reverse("core:person_detail", args=[own["person_pk"]])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    touching_log = [q["sql"] for q in queries if "core_readaccess" in q["sql"]]
    assert len(touching_log) == 1
    assert touching_log[0].lstrip().upper().startswith("INSERT")


def test_an_export_download_is_logged_with_address(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    site, _own, _other = world
    researcher = user_with_role(Role.RESEARCHER, site)
    job = ExportJobFactory(sites=[site], created_by=None)
    job.file.save("export.csv", ContentFile(b"pseudonym\nPX\n"))
    client.force_login(researcher)

    response = client.get(
        reverse("dashboards:export_download", args=[job.pk]), REMOTE_ADDR=CLIENT
    )

    assert response.status_code == 200
    b"".join(response.streaming_content)
    read = ReadAccess.objects.get()
    assert (read.user, read.site, read.object_type, read.object_id) == (
        researcher,
        site,
        "dashboards.exportjob",
        job.pk,
    )
    assert read.address == CLIENT
    event = AuditEvent.objects.get(kind=AuditKind.DOWNLOAD)
    assert (event.actor, event.site, event.address) == (researcher, site, CLIENT)

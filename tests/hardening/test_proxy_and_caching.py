"""Behind the TLS proxy: the client's own address (from X-Forwarded-For, only
when the request came from a trusted proxy) keys the login lockout and goes
into the logs. And no page is kept in a browser or proxy cache."""

from __future__ import annotations

import pytest
from django.test import Client

from core.client_address import client_address
from core.models import AuditEvent, AuditKind
from core.scoping import Role
from tests.factories import TEST_PASSWORD, SiteFactory, user_with_role
from tests.hardening.routes import all_routes, url_for
from tests.world import build_world

PROXY = "10.0.0.5"
LOGIN_URL = "/accounts/login/"


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY, "10.1.0.0/16"]


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        # from the trusted proxy: the client as the proxy saw it
        (PROXY, "198.51.100.7", "198.51.100.7"),
        # an address the client wrote itself is left of the real one
        (PROXY, "203.0.113.9, 198.51.100.7", "198.51.100.7"),
        # a chain of our own proxies is skipped
        (PROXY, "198.51.100.7, 10.1.2.3", "198.51.100.7"),
        # not from a trusted proxy: the header is anyone's to write
        ("198.51.100.8", "203.0.113.9", "198.51.100.8"),
        # from the proxy without a header: the proxy itself
        (PROXY, "", PROXY),
        # rubbish in the header is not an address
        (PROXY, "<script>", PROXY),
    ],
)
def test_client_address_trusts_forwarded_for_only_from_the_proxy(
    rf, behind_proxy, remote, forwarded, expected
):
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_without_trusted_proxies_the_header_is_ignored(rf, settings):
    settings.TRUSTED_PROXIES = []
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert client_address(request) == PROXY


def _login(client: Client, username: str, password: str, forwarded: str):
    return client.post(
        LOGIN_URL,
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_an_attacker_behind_the_proxy_cannot_lock_out_a_colleague(
    behind_proxy, casemanager_almelo
):
    attacker, colleague = Client(), Client()
    for n in range(5):
        _login(attacker, "alice", f"wrong-{n}", "198.51.100.66")

    locked = _login(attacker, "alice", TEST_PASSWORD, "198.51.100.66")
    assert locked.status_code == 429
    # Alice at her own desk, through the same proxy, still gets in.
    assert _login(colleague, "alice", TEST_PASSWORD, "198.51.100.20").status_code == 302


def test_failed_and_successful_logins_record_the_clients_address(
    behind_proxy, casemanager_almelo
):
    _login(Client(), "alice", "wrong", "198.51.100.66")
    _login(Client(), "alice", TEST_PASSWORD, "198.51.100.20")
    failed = AuditEvent.objects.get(kind=AuditKind.LOGIN_FAILED)
    login = AuditEvent.objects.get(kind=AuditKind.LOGIN)
    assert (failed.address, login.address) == ("198.51.100.66", "198.51.100.20")


def _no_store(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


@pytest.mark.parametrize(
    "role",
    [Role.CASEMANAGER, Role.PROJECT_LEADER, Role.RESEARCHER, Role.FUNCTIONAL_ADMIN],
)
def test_no_page_may_be_stored_in_a_cache(client, db, role):
    site = SiteFactory(code="eigen")
    world = build_world(site, "OWNMARK")
    client.force_login(user_with_role(role, site))
    cached = []
    for route in all_routes():
        response = client.get(url_for(route, world))
        if not _no_store(response):
            cached.append((route.name, response.get("Cache-Control")))
    assert cached == []


def test_the_login_page_is_not_stored_either(client, db):
    assert _no_store(client.get(LOGIN_URL))

"""Every URL of the project x every role x own site / other site / anonymous.

URLs are enumerated from the resolver, so a new URL is covered without
editing this test. Each view declares its roles with ``core.access``; the
test checks the declaration is enforced, that another site's object answers
404 and that no response about another site contains its data.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from core.scoping import Role
from tests.factories import SiteFactory, user_with_role
from tests.world import build_world

SKIPPED_NAMESPACES = {"admin"}
SKIPPED_NAMES = {"login", "logout", "set_language"}


@dataclass
class Route:
    name: str
    pattern: str
    keywords: list[str]
    view: object


def _walk(patterns, prefix="", namespace="") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            ns = entry.namespace or namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            if not entry.name or entry.name in SKIPPED_NAMES:
                continue
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield Route(
                name=name,
                pattern=prefix + str(entry.pattern),
                keywords=list(entry.pattern.converters),
                view=entry.callback,
            )


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns))


def _url(route: Route, world: dict) -> str:
    from django.urls import reverse

    missing = [key for key in route.keywords if key not in world]
    assert not missing, f"{route.name}: tests/world.py has no value for {missing}"
    return reverse(route.name, kwargs={key: world[key] for key in route.keywords})


def _request(client, url: str):
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url, {})
    return response


@pytest.fixture
def two_worlds(db):
    own_site = SiteFactory(code="eigen", name="KV Eigen")
    other_site = SiteFactory(code="ander", name="KV Ander")
    own = build_world(own_site, "OWNMARK")
    other = build_world(other_site, "ZZLEAKZZ")
    return own_site, own, other


def test_every_view_declares_its_roles():
    undeclared = [r.name for r in all_routes() if not hasattr(r.view, "kv_roles")]
    assert undeclared == []


def _public(route: Route) -> bool:
    """Pages without login (``core.access.public``): the health endpoints
    (tests/queue/test_health.py) and setting a password from a one-time link."""
    return getattr(route.view, "kv_public", False)


def test_public_pages_answer_anyone_without_failing(client, two_worlds):
    _, own, _ = two_worlds
    public = [route for route in all_routes() if _public(route)]
    statuses = {
        route.name: _request(client, _url(route, own)).status_code for route in public
    }
    assert public
    assert {name: s for name, s in statuses.items() if s >= 500} == {}


def test_anonymous_users_are_sent_to_login(client, two_worlds):
    _, own, _ = two_worlds
    failures = []
    for route in all_routes():
        if _public(route):
            continue
        response = _request(client, _url(route, own))
        if (
            response.status_code != 302
            or "/accounts/login/" not in response["Location"]
        ):
            failures.append((route.name, response.status_code))
    assert failures == []


@pytest.mark.parametrize(
    "role",
    [Role.CASEMANAGER, Role.PROJECT_LEADER, Role.RESEARCHER, Role.FUNCTIONAL_ADMIN],
)
def test_role_matrix_own_and_other_site(client, two_worlds, role):
    own_site, own, other = two_worlds
    user = user_with_role(role, own_site)
    client.force_login(user)
    person = own["_person"]
    failures = []
    for route in all_routes():
        if _public(route):
            continue  # test_public_pages_answer_anyone_without_failing
        allowed = route.view.kv_roles is None or role in route.view.kv_roles
        own_response = _request(client, _url(route, own))
        if not allowed:
            if own_response.status_code != 403:
                failures.append((route.name, "own", own_response.status_code, 403))
            continue
        if own_response.status_code not in (200, 302):
            failures.append((route.name, "own", own_response.status_code, "200/302"))
        body = own_response.content.decode(errors="replace")
        if "ZZLEAKZZ" in body:
            failures.append((route.name, "own", "shows other site's data", ""))
        if role == Role.RESEARCHER:
            for secret in (
                person.first_name,
                person.last_name,
                person.dji_number,
                person.date_of_birth.isoformat(),
            ):
                if secret in body:
                    failures.append(
                        (route.name, "own", f"researcher sees {secret}", "")
                    )
        if route.keywords:
            other_response = _request(client, _url(route, other))
            if other_response.status_code != 404:
                failures.append((route.name, "other", other_response.status_code, 404))
            if "ZZLEAKZZ" in other_response.content.decode(errors="replace"):
                failures.append((route.name, "other", "leaks data", ""))
    assert failures == []

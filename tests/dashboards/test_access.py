"""Who may open the dashboards, case lists and exports (the matrix, per app)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.scoping import Role
from tests.factories import SiteFactory, user_with_role
from tests.test_permission_matrix import _request, _url, all_routes
from tests.world import build_world

EXPORT_ROUTES = {
    "dashboards:export_list",
    "dashboards:export_detail",
    "dashboards:export_download",
}


def _dashboard_routes():
    return [route for route in all_routes() if route.name.startswith("dashboards:")]


@pytest.fixture
def worlds(db):
    own_site = SiteFactory(code="eigen", name="KV Eigen")
    other_site = SiteFactory(code="ander", name="KV Ander")
    return (
        own_site,
        build_world(own_site, "OWNMARK"),
        build_world(other_site, "ZZLEAKZZ"),
    )


def test_casemanager_gets_403_on_every_export_url(client, worlds):
    own_site, own, _other = worlds
    client.force_login(user_with_role(Role.CASEMANAGER, own_site))
    routes = [r for r in _dashboard_routes() if r.name in EXPORT_ROUTES]
    assert {r.name for r in routes} == EXPORT_ROUTES
    statuses = {r.name: client.get(_url(r, own)).status_code for r in routes}
    statuses["post"] = client.post(reverse("dashboards:export_list"), {}).status_code
    assert set(statuses.values()) == {403}


@pytest.mark.parametrize(
    "role",
    [Role.CASEMANAGER, Role.PROJECT_LEADER, Role.RESEARCHER, Role.FUNCTIONAL_ADMIN],
)
def test_dashboard_urls_keep_to_declared_roles_and_own_site(client, worlds, role):
    own_site, own, other = worlds
    client.force_login(user_with_role(role, own_site))
    person = own["_person"]
    failures = []
    for route in _dashboard_routes():
        response = _request(client, _url(route, own))
        if role not in route.view.kv_roles:
            if response.status_code != 403:
                failures.append((route.name, response.status_code))
            continue
        body = response.content.decode()
        if response.status_code not in (200, 302) or "ZZLEAKZZ" in body:
            failures.append((route.name, response.status_code))
        if role == Role.RESEARCHER:
            for secret in (person.first_name, person.last_name, person.dji_number):
                if secret in body:
                    failures.append((route.name, secret))
        if route.keywords:
            other_response = _request(client, _url(route, other))
            if other_response.status_code != 404:
                failures.append((route.name, "other", other_response.status_code))
    assert failures == []

"""The worst search and paging input of issue 10 on every page, as every role.

Every URL pattern is enumerated from the URLconf and requested as in
ordinary use (no search, one word, "Achternaam, Voornaam") and then with
1,000 words, ``b b b ...``, very long and odd
unicode text, and ``per_page`` of -1, 0, 1000000 and abc. None may answer
500, and none may cost more queries or more joins than ordinary use:
work per request does not grow with what is typed.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.scoping import Role
from tests.factories import SiteFactory, user_with_role
from tests.hardening.routes import all_routes, url_for
from tests.world import build_world

ROLES = [Role.CASEMANAGER, Role.PROJECT_LEADER, Role.RESEARCHER, Role.FUNCTIONAL_ADMIN]
#: ordinary use: no search, a one-word search, a name with a comma
PLAIN = [{}, {"q": "b"}, {"q": "Achternaam, Voornaam"}]
WORST = [
    {"q": " ".join(f"woord{n}" for n in range(1000)), "per_page": "-1"},
    {"q": "b " * 5000, "per_page": "0"},
    {"q": "x" * 20000, "per_page": "1000000", "page": "99999999999999999999"},
    {
        "q": "Ã©\u0000\u202e\ufeff\U0001f600 \u0301\u0301 ẞ İ ǅ \ud7ff %_\\' OR 1=1 --",
        "per_page": "abc",
        "page": "-1",
        "sort": "-nonexistent",
    },
    {"q": "Achternaam, Voornaam " * 200, "per_page": "1e9"},
]
JOIN = re.compile(r"\bJOIN\b", re.I)


def _measure(client, url: str, params: dict[str, str]) -> tuple[int, int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    joins = sum(len(JOIN.findall(q["sql"])) for q in queries.captured_queries)
    return response.status_code, len(queries.captured_queries), joins


@pytest.mark.parametrize("role", ROLES)
def test_worst_search_and_paging_input_on_every_page(client, db, role):
    site = SiteFactory(code="eigen", name="KV Eigen")
    world = build_world(site, "OWNMARK")
    client.force_login(user_with_role(role, site))
    client.raise_request_exception = False
    failures = []
    for route in all_routes():
        url = url_for(route, world)
        plain = [_measure(client, url, params) for params in PLAIN]
        if plain[0][0] == 405:
            continue
        queries = max(measured[1] for measured in plain)
        joins = max(measured[2] for measured in plain)
        for params in WORST:
            worst_status, worst_queries, worst_joins = _measure(client, url, params)
            if worst_status >= 500:
                failures.append((route.name, params["per_page"], worst_status))
            elif worst_queries > queries or worst_joins > joins:
                failures.append(
                    (
                        route.name,
                        params["per_page"],
                        f"{worst_queries} queries/{worst_joins} joins, "
                        f"ordinary use at most {queries}/{joins}",
                    )
                )
    assert failures == []


def test_every_admin_search_takes_the_worst_input(admin_client):
    from django.contrib import admin
    from django.urls import reverse

    searched = 0
    for model, model_admin in admin.site._registry.items():
        if not model_admin.search_fields:
            continue
        searched += 1
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        for params in WORST:
            with CaptureQueriesContext(connection) as queries:
                response = admin_client.get(url, {"q": params["q"]})
            assert response.status_code == 200, (url, params["per_page"])
            assert len(queries.captured_queries) < 30
    assert searched >= 2

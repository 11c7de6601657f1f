"""Every page of a person's file shows the way back: breadcrumbs from the
person list through the person to the page (enumerated from the URLconf)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from core.scoping import Role
from tests.factories import SiteFactory, user_with_role
from tests.test_permission_matrix import all_routes
from tests.world import build_world

pytestmark = pytest.mark.django_db

# URL keywords that belong to one person's file.
PERSON_FILE_KEYWORDS = {
    "person_pk",
    "case_pk",
    "stay_pk",
    "plan_pk",
    "goal_pk",
    "activity_pk",
    "employment_pk",
    "case_role_pk",
    "consent_pk",
    "network_member_pk",
}
CRUMBS = re.compile(r'<nav class="breadcrumbs"[^>]*>(.*?)</nav>', re.S)


def test_every_page_of_a_persons_file_leads_back_to_the_person(client):
    site = SiteFactory(code="eigen")
    world = build_world(site, "Crumb")
    client.force_login(user_with_role(Role.CASEMANAGER, site))
    person_url = world["_person"].get_absolute_url()
    missing = []
    checked = 0
    for route in all_routes():
        if not set(route.keywords) & PERSON_FILE_KEYWORDS:
            continue
        url = reverse(route.name, kwargs={k: world[k] for k in route.keywords})
        response = client.get(url)
        if response.status_code != 200 or "html" not in response["Content-Type"]:
            continue
        checked += 1
        crumbs = CRUMBS.search(response.content.decode())
        if url == person_url:
            ok = crumbs and 'aria-current="page"' in crumbs.group(1)
        else:
            ok = crumbs and f'href="{person_url}"' in crumbs.group(1)
        if not ok:
            missing.append(route.name)
    assert checked > 15
    assert missing == []

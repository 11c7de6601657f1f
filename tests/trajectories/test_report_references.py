"""Report line references are for reference pages, not casemanager forms."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from core.scoping import Role
from tests.factories import PersonFactory, StayFactory, user_with_role

pytestmark = pytest.mark.django_db

REPORT_REFERENCE = re.compile(r"\(L\d|\bL\d{3,4}-\d")


@pytest.mark.parametrize("site_code", ["almelo", "krimpen", "middelburg", "rotterdam"])
def test_casemanager_forms_show_no_report_line_references(client, reference, site_code):
    site = reference[site_code]
    user = user_with_role(Role.CASEMANAGER, site, username=f"cm-{site_code}")
    stay = StayFactory(site=site, person=PersonFactory(site=site))
    client.force_login(user)
    pages = [
        reverse("trajectories:plan_create", args=[stay.pk]),
        reverse("trajectories:employment_create", args=[stay.pk]),
        reverse("trajectories:stay_create", args=[PersonFactory(site=site).pk]),
        stay.get_absolute_url(),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        found = REPORT_REFERENCE.findall(response.content.decode())
        assert found == [], (page, found)


def test_responsibility_tables_name_their_source(client, reference):
    user = user_with_role(Role.CASEMANAGER, reference["almelo"], username="cm")
    client.force_login(user)
    response = client.get(reverse("partners:site_responsibilities", args=["almelo"]))
    html = response.content.decode()
    assert 'class="muted source"' in html

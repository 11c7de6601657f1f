"""Related choices come grouped: a plan's life areas per framework (the
protective factors and DJI's basic conditions), a case's documents per stage."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from core.scoping import Role
from tests.factories import (
    IndividualPlanFactory,
    PersonFactory,
    StayFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db


def _optgroups(html: str, select_name: str) -> dict[str, list[str]]:
    select = re.search(
        rf'<select name="{select_name}"[^>]*>(.*?)</select>', html, re.S
    ).group(1)
    return {
        label: re.findall(r"<option[^>]*>([^<]*)</option>", options)
        for label, options in re.findall(
            r'<optgroup label="([^"]*)">(.*?)</optgroup>', select, re.S
        )
    }


def test_krimpens_life_areas_come_in_two_groups(client, reference):
    krimpen = reference["krimpen"]
    plan = IndividualPlanFactory(
        stay=StayFactory(site=krimpen, person=PersonFactory(site=krimpen))
    )
    client.force_login(user_with_role(Role.CASEMANAGER, krimpen))
    html = client.get(reverse("trajectories:goal_create", args=[plan.pk])).content
    groups = _optgroups(html.decode(), "domain")
    assert list(groups) == ["DJI-basisvoorwaarde", "Beschermende factor"]
    assert "Een geldig identiteitsbewijs" in groups["DJI-basisvoorwaarde"]
    assert "Opleiding/werk" in groups["Beschermende factor"]
    assert len(groups["DJI-basisvoorwaarde"]) == 6

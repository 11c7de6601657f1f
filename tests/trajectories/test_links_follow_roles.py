"""Stay and plan pages only link to what the user's role may open."""

from __future__ import annotations

import re

import pytest

from tests.factories import (
    ActivityFactory,
    EmploymentFactory,
    GoalFactory,
    IndividualPlanFactory,
    PlanFormDefinitionFactory,
    StayFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["casemanager_almelo", "project_leader_almelo"])
def test_no_link_on_stay_and_plan_pages_ends_in_403(request, client, role, almelo):
    PlanFormDefinitionFactory(site=almelo)
    stay = StayFactory(site=almelo)
    plan = IndividualPlanFactory(stay=stay)
    ActivityFactory(goal=GoalFactory(plan=plan))
    EmploymentFactory(stay=stay)
    client.force_login(request.getfixturevalue(role))
    for page in [stay.get_absolute_url(), plan.get_absolute_url()]:
        response = client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        for link in set(re.findall(r'href="(/(?:trajectories|partners)/[^"]*)"', html)):
            assert client.get(link).status_code != 403, (role, page, link)

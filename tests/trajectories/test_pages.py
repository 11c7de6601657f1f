from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    ActivityFactory,
    EmployerCheckFactory,
    EmploymentFactory,
    GoalFactory,
    IncidentFactory,
    IndividualPlanFactory,
    OrganisationFactory,
    PersonFactory,
    PlanFormDefinitionFactory,
    ReviewFactory,
    StayFactory,
    WorkRuleFactory,
)

pytestmark = pytest.mark.django_db


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _grow(stay, plan, site):
    organisation = OrganisationFactory(sites=[site])
    job = EmploymentFactory(stay=stay)
    EmployerCheckFactory(employment=job)
    IncidentFactory(stay=stay)
    goal = GoalFactory(plan=plan)
    ActivityFactory(goal=goal, responsible_organisation=organisation)
    ReviewFactory(plan=plan)


def test_stay_and_plan_pages_query_counts_do_not_grow_with_the_data(
    client, almelo, casemanager_almelo, django_assert_max_num_queries
):
    PlanFormDefinitionFactory(site=almelo)
    WorkRuleFactory(site=almelo)
    stay = StayFactory(site=almelo, person=PersonFactory(site=almelo))
    plan = IndividualPlanFactory(stay=stay)
    _grow(stay, plan, almelo)
    client.force_login(casemanager_almelo)
    urls = [f"/trajectories/stays/{stay.pk}/", f"/trajectories/plans/{plan.pk}/"]
    baseline = {url: _queries(client, url) for url in urls}
    for _ in range(6):
        _grow(stay, plan, almelo)
    for url in urls:
        with django_assert_max_num_queries(baseline[url]):
            response = client.get(url)
        assert response.status_code == 200

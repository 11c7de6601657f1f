"""Dashboard pages: period filter, overview, what researchers and leaders see."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.periods import PERIOD_END_BEFORE_START
from tests.dashboards.builders import site_with_three_stays
from tests.factories import MembershipFactory, user_with_role

pytestmark = pytest.mark.django_db


def test_a_period_ending_before_it_starts_is_refused_without_losing_the_page(client):
    site, _stays = site_with_three_stays()
    client.force_login(user_with_role("project_leader", site))
    response = client.get(
        reverse("dashboards:site_dashboard", args=[site.code]),
        {"start": "2024-03-01", "end": "2024-01-01"},
    )
    assert response.status_code == 200
    assert str(PERIOD_END_BEFORE_START) in response.content.decode()
    # the typed dates stay in the form
    assert 'value="2024-03-01"' in response.content.decode()


def test_overview_covers_only_the_users_sites_and_links_each_site(client):
    site, _stays = site_with_three_stays("eerste")
    other, _other_stays = site_with_three_stays("tweede")
    _hidden, _hidden_stays = site_with_three_stays("derde")
    leader = user_with_role("project_leader", site)
    MembershipFactory(user=leader, site=other, role="researcher")
    client.force_login(leader)
    response = client.get(
        reverse("dashboards:overview"), {"start": "2024-01-01", "end": "2024-03-31"}
    )
    body = response.content.decode()
    assert reverse("dashboards:site_dashboard", args=["eerste"]) in body
    assert reverse("dashboards:site_dashboard", args=["tweede"]) in body
    assert reverse("dashboards:site_dashboard", args=["derde"]) not in body
    summaries = {site.code: summary for site, summary in response.context["sites"]}
    assert (summaries["eerste"].inflow, summaries["eerste"].outflow) == (3, 2)
    assert summaries["eerste"].capacity_at_end == 10


def test_programme_case_list_names_people_only_where_the_user_may_see_names(client):
    site, (a, _b, _c) = site_with_three_stays("eerste")
    other, (d, _e, _f) = site_with_three_stays("tweede")
    user = user_with_role("project_leader", site)
    MembershipFactory(user=user, site=other, role="researcher")
    client.force_login(user)
    response = client.get(
        reverse("dashboards:programme_cases"),
        {"start": "2024-01-01", "end": "2024-03-31", "metric": "outflow"},
    )
    body = response.content.decode()
    assert response.context["page"].paginator.count == 4
    assert a.person.last_name in body
    assert d.person.last_name not in body
    assert d.person.pseudonym in body


def test_an_unknown_number_gives_an_empty_list_not_an_error(client):
    site, _stays = site_with_three_stays()
    client.force_login(user_with_role("researcher", site))
    response = client.get(
        reverse("dashboards:site_cases", args=[site.code]),
        {"metric": "nonsense", "key": "x"},
    )
    assert response.status_code == 200
    assert response.context["known"] is False

"""Home blocks per role, case-list headings in words, empty panels, wide tables."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from dashboards.sections import home_datasets, home_site_glance
from tests.dashboards.builders import intake_round, site_with_three_stays
from tests.factories import (
    CapacityPeriodFactory,
    ExportJobFactory,
    IntakeCaseFactory,
    MeasurementFactory,
    MembershipFactory,
    PlaceTypeFactory,
    SiteFactory,
    StayFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db

PERIOD_2024 = {"start": "2024-01-01", "end": "2024-03-31"}


def recent_site(code: str, *, people: int = 1):
    """A site where each person has a recent stay, open case and due measurement."""
    today = timezone.localdate()
    site = SiteFactory(code=code)
    place_type = PlaceTypeFactory(site=site)
    CapacityPeriodFactory(
        place_type=place_type, places=8, valid_from=datetime.date(2020, 1, 1)
    )
    stays = []
    for _n in range(people):
        stay = StayFactory(
            site=site,
            place_type=place_type,
            placed_on=today - datetime.timedelta(days=40),
        )
        IntakeCaseFactory(site=site, opened_on=today - datetime.timedelta(days=60))
        MeasurementFactory(stay=stay, due_on=today - datetime.timedelta(days=5))
        stays.append(stay)
    return site, stays


def _home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    return response.content.decode()


def test_project_leader_home_shows_each_site_at_a_glance_linking_to_the_people(
    client,
):
    site, stays = recent_site("almelo", people=2)
    leader = user_with_role("project_leader", site)
    body = _home(client, leader)
    assert 'id="home-site-glance"' in body
    assert reverse("dashboards:site_dashboard", args=[site.code]) in body
    section = home_site_glance(_request(leader))
    (row,) = section.context["rows"]
    assert (row.opened, row.open_cases, row.placed) == (2, 2, 2)
    assert (row.present, row.capacity, row.measurements_due) == (2, 8, 2)
    # the "measurements due" number opens exactly those people
    period = section.context["period"]
    listed = client.get(
        reverse("dashboards:site_cases", args=[site.code]),
        {"start": period.start, "end": period.end, "metric": "due"},
    )
    assert listed.context["page"].paginator.count == 2
    assert stays[0].person.last_name in listed.content.decode()


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def _glance_queries(user) -> int:
    with CaptureQueriesContext(connection) as queries:
        section = home_site_glance(_request(user))
        render_to_string(section.template, {"section": section.context})
    return len(queries)


def test_site_glance_costs_the_same_queries_for_one_site_or_many(
    django_assert_max_num_queries,
):
    first, _stays = recent_site("eerste")
    leader = user_with_role("project_leader", first)
    baseline = _glance_queries(leader)
    for code in ("tweede", "derde", "vierde"):
        site, _stays = recent_site(code, people=3)
        MembershipFactory(user=leader, site=site, role="project_leader")
    # A new request loads the user afresh (site ids are cached per user object).
    leader = type(leader).objects.get(pk=leader.pk)
    with django_assert_max_num_queries(baseline):
        section = home_site_glance(_request(leader))
        html = render_to_string(section.template, {"section": section.context})
    assert len(section.context["rows"]) == 4
    assert html.count('id="glance-') == 4


def test_researcher_home_lists_own_exports_and_measurement_pages_without_names(
    client,
):
    site, stays = recent_site("almelo")
    researcher = user_with_role("researcher", site)
    mine = ExportJobFactory(created_by=researcher)
    mine.sites.add(site)
    someone_else = ExportJobFactory(created_by=user_with_role("researcher", site))
    someone_else.sites.add(site)
    body = _home(client, researcher)
    assert 'id="home-datasets"' in body
    assert reverse("dashboards:export_list") in body
    assert reverse("dashboards:export_detail", args=[mine.pk]) in body
    assert f'href="{someone_else.get_absolute_url()}"' not in body
    assert reverse("evaluation:schedule", args=[site.code]) in body
    assert reverse("evaluation:kv_measurement_list", args=[site.code]) in body
    assert 'id="home-site-glance"' not in body
    assert stays[0].person.last_name not in body


def test_home_blocks_are_left_out_for_users_without_the_role():
    site, _stays = recent_site("almelo")
    casemanager = user_with_role("casemanager", site)
    assert home_site_glance(_request(casemanager)) is None
    assert home_datasets(_request(casemanager)) is None
    assert home_datasets(_request(user_with_role("project_leader", site))) is None


def _case_list_title(client, site, **params) -> str:
    response = client.get(
        reverse("dashboards:site_cases", args=[site.code]), {**PERIOD_2024, **params}
    )
    assert response.status_code == 200
    return response.context["description"]


def test_case_list_heading_says_what_the_number_counted_in_words(client):
    site, _stays = site_with_three_stays()
    intake_round(site)
    client.force_login(user_with_role("project_leader", site))
    occupancy = _case_list_title(client, site, metric="occupancy", key="2024-03-01")
    assert date_format(datetime.date(2024, 3, 1), "j F Y") in occupancy
    assert "2024-03-01" not in occupancy
    assert "Screening" in _case_list_title(client, site, metric="stage", key="screen")
    drug_use = _case_list_title(client, site, metric="b7", key="drug_use")
    assert "Gebruik verdovende middelen" in drug_use
    assert "drug_use" not in drug_use


def test_researchers_case_list_shows_pseudonyms_without_a_name_column(client):
    site, (a, _b, _c) = site_with_three_stays()
    client.force_login(user_with_role("researcher", site))
    response = client.get(
        reverse("dashboards:site_cases", args=[site.code]),
        {**PERIOD_2024, "metric": "outflow"},
    )
    body = response.content.decode()
    header = body.split('id="case-list"')[1].split("</thead>")[0]
    assert header.count("<th scope=") == 2
    assert a.person.pseudonym in body
    assert a.person.last_name not in body


def test_a_panel_without_data_says_so_and_keeps_its_table(client):
    site, _stays = site_with_three_stays()
    client.force_login(user_with_role("project_leader", site))
    url = reverse("dashboards:site_dashboard", args=[site.code])
    empty = client.get(url, {"start": "2010-01-01", "end": "2010-12-31"})
    body = empty.content.decode()
    for key in ("flow", "funnel", "completeness", "factors", "exits"):
        assert f'id="no-data-{key}"' in body
        assert f'id="table-{key}"' in body
    busy = client.get(url, PERIOD_2024).content.decode()
    assert 'id="no-data-flow"' not in busy
    assert 'id="table-flow"' in busy


def test_programme_funnel_names_the_sites_own_stages(client):
    site, _stays = site_with_three_stays()
    intake_round(site)
    client.force_login(user_with_role("project_leader", site))
    body = client.get(reverse("dashboards:overview"), PERIOD_2024).content.decode()
    funnel = body.split('id="table-funnel"')[1].split("</table>")[0]
    assert "Screening" in funnel


def test_wide_tables_sit_in_a_scrolling_box_of_a_full_width_panel(client):
    site, _stays = site_with_three_stays()
    client.force_login(user_with_role("project_leader", site))
    body = client.get(
        reverse("dashboards:site_dashboard", args=[site.code]), PERIOD_2024
    ).content.decode()
    assert 'class="panel wide" id="panel-completeness"' in body
    assert (
        '<div class="table-scroll"><table class="table" id="table-completeness"' in body
    )
    assert " style=" not in body.split('<div class="panels">')[1]

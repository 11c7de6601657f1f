"""Bijlage 7 reproduced from registered data for a hand-built set of 8 people."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from core.periods import Period
from dashboards.b7 import b7_tables
from dashboards.scope import Scope
from tests.dashboards.builders import bijlage7_people
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PERIOD = Period(datetime.date(2018, 1, 1), datetime.date(2020, 9, 15))
PLACED_ON = datetime.date(2018, 3, 1)  # before any eindmeting of the eight

EXPECTED = {
    "age_mean": [41, 8],
    "age_min": [25, 8],
    "age_max": [52, 8],
    "drug_use": [1, 8],
    "house_rules": [8, 8],
    "group_functioning": [8, 8],
    "five_conditions": [8, 8],
    "social_network": [6, 8],
    "labour_consultant": [6, 8],
    "vacancy_search": [8, 8],
    "employer_contact": [7, 8],
    "job_interview": [7, 8],
    "course": [8, 8],
    "theme_evening": [8, 8],
    "paid_job": [6, 8],
    "unpaid_job": [1, 8],
    "unknown_job": [1, 8],
    # the text of B7.2 and B7.3.1, the latter with its own N (footnote 12)
    "plan_independent": [7, 8],
    "volunteer_assigned": [7, 7],
    "volunteer_support": [6, 7],
    "network_support": [6, 7],
    "partner_involved": [0, 7],
}


def test_b7_tables_match_the_report_for_the_eight_participants():
    site, _stays = bijlage7_people()
    result = b7_tables(
        Scope((site.pk,), PERIOD),
        programme="De Compagnie II",
        plan="Mijn Compagnieplan",
    )
    found = {code: result.row(code).values for code in EXPECTED}
    assert found == EXPECTED
    assert result.row("duration_mean").values[0] == 304
    assert result.row("duration_min").values[0] == 81
    assert result.row("duration_max").values[0] == 882
    titles = [table.title for table in result.tables]
    assert titles[0].endswith("De Compagnie II")
    assert titles[-1] == "Tabel B7.3 Resultaat van het Mijn Compagnieplan"


def test_b7_counts_only_people_in_the_kv_during_the_period():
    site, _stays = bijlage7_people()
    # the 81-day stay ended on 2018-05-21; a period after that leaves 7
    later = Period(datetime.date(2018, 6, 1), datetime.date(2020, 9, 15))
    result = b7_tables(Scope((site.pk,), later), programme="", plan="")
    assert result.row("age_min").values == [38, 7]
    assert result.row("labour_consultant").values == [5, 7]


def test_b7_on_the_site_dashboard_links_each_count_to_its_people(client):
    site, stays = bijlage7_people()
    leader = UserFactory()
    MembershipFactory(user=leader, site=site, role="project_leader")
    client.force_login(leader)
    url = reverse("dashboards:site_dashboard", args=[site.code])
    response = client.get(url, {"start": "2018-01-01", "end": "2020-09-15"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="b7-row-paid_job"' in body
    cases = client.get(
        reverse("dashboards:site_cases", args=[site.code]),
        {"start": "2018-01-01", "end": "2020-09-15", "metric": "b7", "key": "drug_use"},
    )
    people = cases.context["page"].object_list
    assert [row["person_pk"] for row in people] == [stays[3].person_id]
    # a project leader sees the name, linked to the person page
    assert stays[3].person.last_name in cases.content.decode()


def test_b7_durations_are_worded_as_in_the_report():
    site, _stays = bijlage7_people()
    result = b7_tables(Scope((site.pk,), PERIOD), programme="", plan="")
    words = [result.row(f"duration_{s}").values[1] for s in ("mean", "min", "max")]
    assert words == ["circa 10 maanden", "circa 2 maanden", "2 jaar en circa 5 maanden"]


def test_b7_counts_the_latest_measurement_of_each_stay():
    from evaluation.models import Measurement

    site, stays = bijlage7_people()
    # An earlier "yes" on the sixth basic condition of someone who ended
    # without a supporting network does not count.
    catalogue = Measurement.objects.filter(stay=stays[7]).get().catalogue
    nulmeting = Measurement.objects.create(
        stay=stays[7], catalogue=catalogue, moment="nulmeting", due_on=PLACED_ON
    )
    nulmeting.answers.create(
        item=catalogue.items.get(var="kri_wd_ondersteunend_netwerk"), value=True
    )
    result = b7_tables(Scope((site.pk,), PERIOD), programme="", plan="")
    assert result.row("social_network").values == [6, 8]


def test_only_debts_may_not_apply_among_the_five_basic_conditions():
    from evaluation.models import Answer

    site, stays = bijlage7_people()
    Answer.objects.filter(
        measurement__stay=stays[0], item__var="kri_wd_identiteitsbewijs"
    ).update(value=None, missing_reason="not_applicable")
    result = b7_tables(Scope((site.pk,), PERIOD), programme="", plan="")
    assert result.row("five_conditions").values == [7, 8]


def test_rows_a_site_does_not_ask_show_a_dash_not_a_zero(client):
    from tests.dashboards.builders import site_with_three_stays

    site, _stays = site_with_three_stays()
    result = b7_tables(Scope((site.pk,), PERIOD), programme="", plan="")
    network = result.row("social_network")
    assert network.not_registered
    assert network.values[0] is None
    assert not result.row("drug_use").not_registered  # incidents: every site
    leader = UserFactory()
    MembershipFactory(user=leader, site=site, role="project_leader")
    client.force_login(leader)
    body = client.get(
        reverse("dashboards:site_dashboard", args=[site.code]),
        {"start": "2018-01-01", "end": "2020-09-15"},
    ).content.decode()
    assert 'id="b7-not-registered"' in body

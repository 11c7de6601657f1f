"""The header search finds people by either name order or DJI number, and
intake cases, within the user's sites; researchers find pseudonyms only."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from evaluation.services import schedule_sync_for_stay
from tests.factories import (
    IntakeCaseFactory,
    PersonFactory,
    StayFactory,
    catalogue_from_data,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def jan(almelo, krimpen):
    person = PersonFactory(
        site=almelo, first_name="Jan", last_name="Zoekmans", dji_number="87654321"
    )
    PersonFactory(site=almelo, first_name="Piet", last_name="Zoekmans")
    PersonFactory(site=krimpen, first_name="Jan", last_name="Zoekmans-Krimpen")
    return person


def _search(client, text: str) -> str:
    response = client.get(reverse("core:search"), {"q": text})
    assert response.status_code == 200
    return response.content.decode()


def _people(html: str) -> list[str]:
    section = html.split('id="search-people"', 1)[1].split("</section>", 1)[0]
    return [part.split('"', 1)[0] for part in section.split('data-person="')[1:]]


@pytest.mark.parametrize(
    "text", ["Jan Zoekmans", "Zoekmans Jan", "Zoekmans, Jan", "87654321", "7654"]
)
def test_casemanager_finds_a_person_by_either_name_order_or_dji_number(
    client, casemanager_almelo, jan, text
):
    client.force_login(casemanager_almelo)
    assert _people(_search(client, text)) == [str(jan.pk)]


def test_people_of_another_site_are_not_found(client, casemanager_almelo, jan):
    client.force_login(casemanager_almelo)
    html = _search(client, "Zoekmans")
    assert "Krimpen" not in html
    assert len(_people(html)) == 2


def test_intake_cases_are_found_by_person_and_by_number(
    client, casemanager_almelo, almelo, jan
):
    case = IntakeCaseFactory(site=almelo, person=jan)
    client.force_login(casemanager_almelo)
    assert f'data-case="{case.pk}"' in _search(client, "Jan Zoekmans")
    assert f'data-case="{case.pk}"' in _search(client, f"#{case.pk}")


def test_researcher_finds_measurements_by_pseudonym_and_never_by_name(
    client, researcher_almelo, almelo, jan
):
    catalogue_from_data(almelo)
    stay = StayFactory(site=almelo, person=jan, placed_on=datetime.date(2021, 3, 1))
    schedule_sync_for_stay(stay=stay, today=datetime.date(2021, 3, 1))
    client.force_login(researcher_almelo)

    by_name = _search(client, "Zoekmans")
    assert 'data-measurement="' not in by_name
    assert 'id="search-people"' not in by_name

    by_pseudonym = _search(client, jan.pseudonym)
    assert 'data-measurement="' in by_pseudonym
    for secret in ("Zoekmans", "87654321", "Jan"):
        assert secret not in by_pseudonym.split('id="search-results"')[1]


def test_functional_administrators_have_no_person_search(client, admin_almelo, jan):
    client.force_login(admin_almelo)
    assert client.get(reverse("core:search"), {"q": "Jan"}).status_code == 403
    assert 'id="header-search"' not in client.get(reverse("core:home")).content.decode()


def test_search_work_is_bounded(
    client, casemanager_almelo, jan, django_assert_max_num_queries
):
    client.force_login(casemanager_almelo)
    with django_assert_max_num_queries(20) as one_word:
        _search(client, "Zoekmans")
    # Words beyond the eighth are ignored: the same queries, the same result.
    many = "Jan Zoekmans " + " ".join(f"woord{n}" for n in range(20))
    with django_assert_max_num_queries(len(one_word.captured_queries)):
        html = _search(client, many)
    assert _people(html) == []
    # eight different words that all match, then a ninth that would not
    eight = "Jan Zoekmans Zoe Zoek Zoekm Zoekma Zoekman oekmans nietgevonden"
    assert _people(_search(client, eight)) == [str(jan.pk)]

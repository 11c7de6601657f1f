"""Finding people and paging through lists, with bounded work."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import Person
from core.scoping import Role
from core.search import MAX_SEARCH_WORDS, per_page_from, search_words
from core.selectors import person_search
from tests.factories import PersonFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(almelo):
    return {
        "jan": PersonFactory(
            site=almelo, first_name="Jan", last_name="de Vries", dji_number="1234567"
        ),
        "jans": PersonFactory(
            site=almelo, first_name="Janneke", last_name="Jansen", dji_number="7654321"
        ),
        "piet": PersonFactory(
            site=almelo, first_name="Piet", last_name="Vries", dji_number="5550001"
        ),
    }


def _found(text: str, *, researcher: bool = False) -> set[str]:
    found = person_search(Person.objects.all(), text, researcher=researcher)
    return {f"{p.first_name} {p.last_name}" for p in found}


def test_people_are_found_by_last_name_comma_first_name(people):
    assert _found("de Vries, Jan") == {"Jan de Vries"}
    assert _found("Vries, Piet") == {"Piet Vries"}
    assert _found("Vries,") == {"Jan de Vries", "Piet Vries"}


def test_people_are_found_by_first_name_last_name_in_any_order(people):
    assert _found("Jan Vries") == {"Jan de Vries"}
    assert _found("vries jan") == {"Jan de Vries"}
    assert _found("jan") == {"Jan de Vries", "Janneke Jansen"}


def test_people_are_found_by_dji_number(people):
    assert _found("1234567") == {"Jan de Vries"}
    assert _found("555") == {"Piet Vries"}


def test_researchers_find_by_pseudonym_only(people):
    jan = people["jan"]
    assert _found(jan.pseudonym, researcher=True) == {"Jan de Vries"}
    assert _found("Jan", researcher=True) == set()
    assert _found("1234567", researcher=True) == set()


def test_search_takes_at_most_eight_words_and_no_control_characters():
    assert search_words("a " * 1000) == ["a"]
    words = search_words(" ".join(f"w{n}" for n in range(1000)))
    assert words == [f"w{n}" for n in range(MAX_SEARCH_WORDS)]
    assert search_words("Ja\x00n\u202e De\ufeffVries") == ["Ja", "n", "De", "Vries"]
    assert search_words("x" * 10000) == ["x" * 50]


def test_a_search_is_one_query_with_the_same_joins_for_one_or_fifty_words(
    client, almelo, people
):
    client.force_login(user_with_role(Role.CASEMANAGER, almelo))

    def measure(url: str, text: str) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"q": text}).status_code == 200
        sql = " ".join(q["sql"] for q in queries.captured_queries)
        return len(queries.captured_queries), len(re.findall(r"\bJOIN\b", sql))

    for name in ("core:person_list", "intake:case_list", "partners:organisation_list"):
        url = reverse(name)
        client.get(url)  # the session and the user's roles, read once
        assert measure(url, "b") == measure(url, " ".join(["b"] * 50)), name
        assert measure(url, "b") == measure(url, "b c d e f g h i j k l"), name


@pytest.mark.parametrize(
    ("asked", "rows"),
    [("10", 10), ("200", 60), ("-1", 50), ("0", 50), ("1000000", 50), ("abc", 50)],
)
def test_page_size_is_clamped_to_10_to_200(client, almelo, asked, rows):
    PersonFactory.create_batch(60, site=almelo)
    client.force_login(user_with_role(Role.CASEMANAGER, almelo))
    response = client.get(reverse("core:person_list"), {"per_page": asked})
    assert response.status_code == 200
    assert len(response.context["table"].page.object_list) == rows


def test_per_page_from_falls_back_to_the_default():
    assert per_page_from("25") == 25
    assert per_page_from(" 200 ") == 200
    for value in ("9", "201", "-1", "1e9", "", None, "abc", "10.5"):
        assert per_page_from(value, default=50) == 50

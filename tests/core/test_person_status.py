"""The person list says where each person stands, in the list's own query."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from intake.models import IntakeOutcome
from tests.factories import IntakeCaseFactory, PersonFactory, StayFactory

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def people(almelo):
    in_kv = PersonFactory(site=almelo, last_name="Inkv")
    IntakeCaseFactory(site=almelo, person=in_kv, outcome=IntakeOutcome.PLACED)
    StayFactory(site=almelo, person=in_kv, placed_on=D(2021, 3, 1))
    in_intake = PersonFactory(site=almelo, last_name="Inintake")
    IntakeCaseFactory(site=almelo, person=in_intake)
    left = PersonFactory(site=almelo, last_name="Uitgestroomd")
    stay = StayFactory(site=almelo, person=left, placed_on=D(2020, 3, 1))
    stay.ended_on = D(2020, 9, 1)
    stay.outflow_type = "end_of_sentence"
    stay.save()
    PersonFactory(site=almelo, last_name="Alleenregistratie")
    return almelo


def _rows(html: str) -> dict[str, str]:
    """Last name -> status shown on the list."""
    import re

    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S):
        name = re.search(r">(\w+), ", row)
        status = re.search(r'class="badge status-[\w]+">([^<]+)<', row)
        if name and status:
            rows[name.group(1)] = status.group(1)
    return rows


def test_each_person_shows_the_most_advanced_status(client, casemanager_almelo, people):
    client.force_login(casemanager_almelo)
    html = client.get(reverse("core:person_list")).content.decode()
    assert _rows(html) == {
        "Inkv": "in de KV",
        "Inintake": "in intake",
        "Uitgestroomd": "uitgestroomd",
        "Alleenregistratie": "alleen geregistreerd",
    }


def test_the_list_filters_on_status(client, casemanager_almelo, people):
    client.force_login(casemanager_almelo)
    html = client.get(reverse("core:person_list"), {"status": "in_kv"}).content
    assert list(_rows(html.decode())) == ["Inkv"]

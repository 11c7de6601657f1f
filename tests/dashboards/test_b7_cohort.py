"""Bijlage 7 of a cohort entered through the services equals the hand count,
on the page too, and every number opens the people behind it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.urls import reverse

from core.periods import Period
from dashboards.b7 import B7_FILE, POPULATIONS, SOURCES, b7_definition, b7_tables
from dashboards.scope import Scope
from tests.dashboards.cohort import END, HAND_COUNTS, HAND_PEOPLE, START, krimpen_cohort
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def test_every_b7_row_names_a_known_source_a_description_and_existing_items():
    catalogue_vars = set()
    for path in (Path(settings.BASE_DIR) / "fixtures/reference/indicators").glob(
        "*.yaml"
    ):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))

        def walk(items):
            for item in items:
                catalogue_vars.add(item["var"])
                walk(item.get("items") or [])

        for topic in data["topics"]:
            walk(topic["items"])
    assert B7_FILE.parent.name == "reference"
    codes = []
    for table in b7_definition():
        for section in table["sections"]:
            assert section.get("population", "participants") in POPULATIONS
            for row in section["rows"]:
                codes.append(row["code"])
                assert row["source"] in {*SOURCES, "age", "duration"}, row["code"]
                assert row.get("bron", "").strip(), f"{row['code']}: no source note"
                missing = set(row.get("vars", ())) - catalogue_vars
                assert not missing, f"{row['code']}: {missing} in no catalogue"
    assert len(codes) == len(set(codes))
    # tables B7.1-B7.3 and the text counts of B7.2 and B7.3.1
    assert set(HAND_COUNTS) == set(codes)


def test_b7_of_a_cohort_entered_through_the_services_equals_the_hand_count(client):
    site, stays = krimpen_cohort()
    scope = Scope((site.pk,), Period(START, END))
    result = b7_tables(scope, programme="De Compagnie II", plan="Mijn CompagniePlan")
    found = {code: result.row(code).values for code in HAND_COUNTS}
    assert found == HAND_COUNTS
    for code, indexes in HAND_PEOPLE.items():
        assert result.row(code).stay_ids == {stays[i].pk for i in indexes}, code
    with_plan = result.row("volunteer_support").population_ids
    assert with_plan == {stays[0].pk, stays[1].pk, stays[3].pk}

    # the page shows the same numbers, and each opens its people
    leader = user_with_role("project_leader", site)
    client.force_login(leader)
    query = {"start": START.isoformat(), "end": END.isoformat()}
    body = client.get(
        reverse("dashboards:site_dashboard", args=[site.code]), query
    ).content.decode()
    for code, values in HAND_COUNTS.items():
        row = re.search(rf'<tr id="b7-row-{code}">(.*?)</tr>', body, re.S)
        assert row, code
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
        shown = [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]
        assert shown == [str(value) for value in values], code
    assert "voetnoot 12" in body
    cases_url = reverse("dashboards:site_cases", args=[site.code])
    for key, expected in [
        ("drug_use", {stays[1].person_id}),
        ("volunteer_support:n", {stays[i].person_id for i in (0, 1, 3)}),
        ("age_mean:n", {stay.person_id for stay in stays[:4]}),
        ("partner_involved", {stays[3].person_id}),
    ]:
        assert f"key={key}" in body
        cases = client.get(cases_url, {**query, "metric": "b7", "key": key})
        people = {row["person_pk"] for row in cases.context["page"].object_list}
        assert people == expected, key

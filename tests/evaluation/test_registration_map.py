"""The registration map (research question 3b, "Wordt deze informatie reeds
vastgelegd?"): every item of every catalogue file says where it is held and
how it reaches the dataset; the page answers the question per topic."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.apps import apps
from django.urls import reverse

from evaluation.catalogue import (
    CATALOGUE_DIR,
    CatalogueError,
    catalogue_load,
    load_catalogues,
    parse_catalogue_dir,
    parse_catalogue_file,
)
from evaluation.models import AnswerType, CatalogueVersion, Item, Route
from evaluation.registration import external_systems, registration_map
from tests.factories import SiteFactory, small_catalogue_data, user_with_role
from tests.factories.evaluation import catalogue_from_data

SITES = ["almelo", "amsterdam", "krimpen", "middelburg", "rotterdam"]


def _file_items(path: Path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))

    def walk(items):
        for item in items:
            yield item
            yield from walk(item.get("items") or [])

    for topic in data["topics"]:
        yield from ((topic, item) for item in walk(topic["items"]))


def test_every_item_of_every_catalogue_file_is_on_the_map():
    paths = sorted(CATALOGUE_DIR.glob("*.yaml"))
    assert [p.stem for p in paths] == SITES
    parse_catalogue_dir()  # the loader accepts the whole map
    counted = 0
    for path in paths:
        for topic, item in _file_items(path):
            where = f"{path.name} {topic['code']} {item['var']}"
            if item["answer_type"] == AnswerType.GROUP:
                assert "registration" not in item, where
                continue
            counted += 1
            entry = item["registration"]
            assert entry["route"] in Route.values, where
            held_in = entry["held_in"]
            if "." in held_in:
                label, model_name, field_name = held_in.split(".")
                model = apps.get_model(label, model_name)
                assert model._meta.get_field(field_name).concrete, where
                assert label != "evaluation", where
            else:
                assert held_in == "none" or held_in in external_systems(), where
            assert (entry["route"] == "derived") == bool(item.get("derived_from"))
            assert (entry["route"] == "external_link") == bool(
                item.get("record_source")
            ), where
    assert counted > 400


def _write(folder: Path, data: dict) -> Path:
    path = folder / "aaa.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _items(data: dict) -> dict[str, dict]:
    found = {}

    def walk(items):
        for item in items:
            found[item["var"]] = item
            walk(item.get("items") or [])

    for topic in data["topics"]:
        walk(topic["items"])
    return found


def test_loader_names_every_wrong_map_entry(tmp_path):
    data = small_catalogue_data("aaa")
    items = _items(data)
    del items["tst_type_delict"]["registration"]
    items["tst_nederlands"]["registration"] = {
        "held_in": "intake.IntakeCase.spoken_language",
        "route": "researcher",
    }
    items["tst_woonsituatie"]["registration"] = {
        "held_in": "tulp",
        "route": "researcher",
    }
    items["tst_geboortejaar"]["registration"] = {
        "held_in": "intake.IntakeCase.opened_on",
        "route": "derived",
    }
    items["tst_veroordeling"]["registration"] = {
        "held_in": "justid",
        "route": "researcher",
    }
    items["tst_tevredenheid"]["registration"] = {
        "held_in": "evaluation.KvAnswer.value",
        "route": "researcher",
    }
    items["tst_verloop"]["registration"] = {"held_in": "none", "route": "researcher"}
    with pytest.raises(CatalogueError) as refused:
        parse_catalogue_file(_write(tmp_path, data))
    problems = "\n".join(refused.value.problems)
    assert "item tst_type_delict: registration is missing" in problems
    assert "intake.IntakeCase has no field 'spoken_language'" in problems
    assert "'tulp' is no model field and no external registration" in problems
    assert "derived_from 'person.birth_year' reads core.Person" in problems
    assert "route 'external_link' goes with record_source" in problems
    assert "the evaluation's own records are no registration" in problems
    assert "item tst_verloop: a heading holds no value" in problems


@pytest.mark.django_db
def test_a_changed_map_is_applied_in_place_and_keeps_the_version(tmp_path):
    site = SiteFactory(code="aaa")
    data = small_catalogue_data("aaa")
    catalogue, status = catalogue_load(
        parsed=parse_catalogue_file(_write(tmp_path, data)), site=site
    )
    assert status == "new version"
    item = Item.objects.get(catalogue=catalogue, var="tst_woonsituatie")
    assert (item.registered_in, item.reaches_dataset) == ("none", "researcher")
    _items(data)["tst_woonsituatie"]["registration"] = {
        "held_in": "gemeente",
        "route": "researcher",
    }
    again, status = catalogue_load(
        parsed=parse_catalogue_file(_write(tmp_path, data)), site=site
    )
    assert (again.pk, status) == (catalogue.pk, "unchanged")
    item.refresh_from_db()
    assert item.registered_in == "gemeente"
    assert CatalogueVersion.objects.filter(site=site).count() == 1


@pytest.mark.django_db
def test_the_shares_of_every_site_add_up_to_its_items():
    for code in SITES:
        SiteFactory(code=code)
    catalogues = load_catalogues()
    for site_map in registration_map(catalogues):
        items = Item.objects.filter(catalogue=site_map.catalogue).exclude(
            answer_type=AnswerType.GROUP
        )
        assert site_map.total.total == items.count()
        for node in [*site_map.topics, site_map.total]:
            assert sum(s.count for s in node.holder_shares) == node.total
            assert sum(s.count for s in node.route_shares) == node.total
        assert not items.filter(registered_in="").exists()
        holders = {s.key: s.count for s in site_map.total.holder_shares}
        assert holders["holder-app"] > 0
        assert holders["holder-none"] > 0


@pytest.mark.django_db
def test_researcher_reads_per_topic_how_much_is_registered_and_opens_the_items(
    client, almelo, researcher_almelo
):
    catalogue_from_data(almelo)
    client.force_login(researcher_almelo)
    url = reverse("evaluation:registration_map", args=["almelo"])
    response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Wordt deze informatie reeds vastgelegd?" in body
    row = response.context["site_map"].topics[0]
    assert row.title == "Kenmerken gedetineerde ten tijde van instroom"
    # datum instroom, geboortejaar, nederlandssprekend in the app; type delict
    # at DJI
    assert [s.count for s in row.holder_shares] == [3, 1, 0, 0]
    assert f'href="?topic={row.code}&amp;share=holder-app#items"' in body
    opened = client.get(url, {"topic": row.code, "share": "holder-external"})
    items_body = opened.content.decode()
    assert "Type delict waarvoor gedetineerde in detentie zit" in items_body
    assert "DJI (TULP, D&amp;R-plan)" in items_body
    assert "Geboortejaar" not in items_body.split('id="items"')[1]
    everything = client.get(url, {"share": "route-derived"}).context["chosen"][1]
    assert {e.item.text for e in everything.entries} == {
        "Datum van instroom",
        "Geboortejaar",
    }


@pytest.mark.django_db
def test_the_map_is_for_researchers_and_project_leaders_of_the_site(
    client, almelo, krimpen
):
    catalogue_from_data(almelo)
    url = reverse("evaluation:registration_map", args=["almelo"])
    client.force_login(user_with_role("project_leader", almelo))
    assert client.get(url).status_code == 200
    client.force_login(user_with_role("researcher", krimpen))
    assert client.get(url).status_code == 404
    client.force_login(user_with_role("casemanager", almelo))
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_a_site_without_a_catalogue_says_so(client, almelo, researcher_almelo):
    client.force_login(researcher_almelo)
    response = client.get(reverse("evaluation:registration_map", args=["almelo"]))
    body = response.content.decode()
    assert "Er is geen indicatorenlijst geladen voor deze KV." in body


def test_every_external_registration_has_a_name():
    systems = external_systems()
    assert {"dji", "reclassering", "gnd", "cjib", "gemeente"} <= set(systems)
    assert all(system.name and system.description for system in systems.values())


@pytest.mark.django_db
def test_the_page_reads_the_same_few_queries_for_a_small_and_a_full_catalogue(
    client, almelo, krimpen
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.dashboards.builders import krimpen_catalogue

    catalogue_from_data(almelo)
    krimpen_catalogue(krimpen)
    client.force_login(user_with_role("researcher", almelo, krimpen))
    counts = []
    for code in ("almelo", "krimpen"):
        url = reverse("evaluation:registration_map", args=[code])
        client.get(url, {"share": "holder-app"})
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"share": "holder-app"})
        assert response.status_code == 200
        counts.append(len(queries))
    # session, user, memberships, site, catalogue, items (topics joined),
    # whatever the number of items and topics
    assert counts[0] == counts[1]
    assert counts[0] <= 10

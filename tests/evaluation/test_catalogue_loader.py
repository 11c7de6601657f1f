# ruff: noqa: E501 - expected messages are compared verbatim
from __future__ import annotations

import copy
import datetime
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from core.models import AuditEvent
from evaluation.catalogue import (
    CatalogueError,
    load_catalogues,
    parse_catalogue_dir,
    topic_recorded_at,
)
from evaluation.models import Answer, CatalogueVersion, Item
from evaluation.services import schedule_sync_for_stay
from tests.factories import (
    SiteFactory,
    StayFactory,
    catalogue_from_data,
    small_catalogue_data,
)


def _write(directory: Path, name: str, data: dict) -> Path:
    path = directory / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_the_repository_catalogue_files_are_valid():
    parsed = parse_catalogue_dir()
    assert [p.data["site"] for p in parsed] == [
        "almelo", "amsterdam", "krimpen", "middelburg", "rotterdam"
    ]  # fmt: skip
    assert sum(len(p.vars) for p in parsed) == 479


def test_loader_refuses_a_variable_name_used_in_two_files(tmp_path):
    _write(tmp_path, "aaa.yaml", small_catalogue_data("aaa", prefix="dup"))
    _write(tmp_path, "bbb.yaml", small_catalogue_data("bbb", prefix="dup"))
    with pytest.raises(CatalogueError) as error:
        parse_catalogue_dir(tmp_path)
    assert (
        "bbb.yaml, topic dup_kenmerken, item dup_datum_instroom: variable name also used in aaa.yaml"
        in error.value.problems
    )


def test_loader_refuses_unknown_moment_and_answer_type_naming_file_and_item(tmp_path):
    data = small_catalogue_data("aaa")
    items = data["topics"][0]["items"]
    items[2]["moments"] = ["halverwege"]
    items[3]["answer_type"] = "janee"
    _write(tmp_path, "aaa.yaml", data)
    with pytest.raises(CatalogueError) as error:
        parse_catalogue_dir(tmp_path)
    assert error.value.problems == [
        "aaa.yaml, topic tst_kenmerken, item tst_type_delict: unknown moments ['halverwege']",
        "aaa.yaml, topic tst_kenmerken, item tst_nederlands: unknown answer type 'janee'",
    ]


def test_loader_refuses_duplicate_var_unknown_category_and_bad_derived_path(tmp_path):
    data = small_catalogue_data("aaa")
    data["topics"][1]["category"] = "resultaat"
    data["topics"][1]["items"][0]["var"] = "tst_type_delict"
    data["topics"][0]["items"][0]["derived_from"] = "dossier.placed_on"
    data["topics"][0]["items"][1]["derived_from"] = "person.date_of_birth"
    _write(tmp_path, "aaa.yaml", data)
    with pytest.raises(CatalogueError) as error:
        parse_catalogue_dir(tmp_path)
    problems = "\n".join(error.value.problems)
    assert (
        "item tst_datum_instroom: derived_from 'dossier.placed_on': unknown root"
        in problems
    )
    assert (
        "item tst_geboortejaar: derived_from 'person.date_of_birth': identifying fields cannot be derived"
        in problems
    )
    assert "topic tst_hoofddoel: unknown category 'resultaat'" in problems
    assert "item tst_type_delict: variable name already used in aaa.yaml" in problems


@pytest.mark.django_db
def test_a_broken_file_loads_nothing(tmp_path):
    SiteFactory(code="aaa")
    SiteFactory(code="bbb")
    _write(tmp_path, "aaa.yaml", small_catalogue_data("aaa", prefix="aaa"))
    broken = small_catalogue_data("bbb", prefix="bbb")
    broken["topics"][0]["items"][0]["answer_type"] = "datum"
    _write(tmp_path, "bbb.yaml", broken)
    with pytest.raises(
        CatalogueError, match=r"bbb\.yaml, topic bbb_kenmerken"
    ) as error:
        load_catalogues(tmp_path)
    assert str(error.value) == (
        "Catalogue file refused:\n"
        "bbb.yaml, topic bbb_kenmerken, item bbb_datum_instroom: "
        "unknown answer type 'datum'"
    )
    assert not CatalogueVersion.objects.exists()


def test_loading_twice_changes_nothing(db, tmp_path):
    SiteFactory(code="aaa")
    _write(tmp_path, "aaa.yaml", small_catalogue_data("aaa"))
    first = load_catalogues(tmp_path)
    item_ids = set(Item.objects.values_list("pk", flat=True))
    second = load_catalogues(tmp_path)
    assert [c.pk for c in first] == [c.pk for c in second]
    assert set(Item.objects.values_list("pk", flat=True)) == item_ids


def test_a_changed_file_becomes_a_new_version_and_answers_keep_theirs(db, tmp_path):
    site = SiteFactory(code="aaa")
    data = small_catalogue_data("aaa")
    _write(tmp_path, "aaa.yaml", data)
    (old,) = load_catalogues(tmp_path)
    stay = StayFactory(site=site)
    nulmeting = schedule_sync_for_stay(stay=stay, today=datetime.date(2020, 4, 2))[0]
    old_item = Item.objects.get(catalogue=old, var="tst_type_delict")
    Answer.objects.create(measurement=nulmeting, item=old_item, value="diefstal")

    changed = copy.deepcopy(data)
    changed["topics"][0]["items"][2]["text"] = "Type delict (gecorrigeerd)"
    _write(tmp_path, "aaa.yaml", changed)
    (new,) = load_catalogues(tmp_path)

    assert new.version == 2
    assert (
        Item.objects.get(catalogue=new, var="tst_type_delict").text
        == "Type delict (gecorrigeerd)"
    )
    answer = Answer.objects.get(measurement=nulmeting)
    assert answer.item.catalogue == old
    assert answer.item.text == "Type delict waarvoor gedetineerde in detentie zit"


def test_load_reference_command_loads_the_catalogues(db):
    for code in ("almelo", "krimpen"):
        SiteFactory(code=code)
    call_command("load_reference", only=["evaluation.catalogue.load_catalogues"])
    assert sorted(CatalogueVersion.objects.values_list("site__code", flat=True)) == [
        "almelo", "krimpen"
    ]  # fmt: skip
    assert not AuditEvent.objects.exists()


def test_loader_refuses_bad_conditions_units_and_derived_kv_items(tmp_path):
    data = small_catalogue_data("aaa")
    kenmerken = data["topics"][0]["items"]
    # asked only when an item below it answers, with an answer it cannot give
    kenmerken[2]["condition"] = {"var": "tst_nederlands", "answer": "yes"}
    kenmerken[3]["condition"] = {"var": "tst_datum_instroom", "answer": "yes"}
    kenmerken[1]["unit"] = ""
    kenmerken[1]["min"] = 2015
    kenmerken[1]["max"] = 1900
    kenmerken[3]["unit"] = "km"
    kv_topic = data["topics"][2]["items"][0]["items"][0]
    kv_topic["derived_from"] = "stay.placed_on"
    _write(tmp_path, "aaa.yaml", data)
    with pytest.raises(CatalogueError) as error:
        parse_catalogue_dir(tmp_path)
    problems = "\n".join(error.value.problems)
    assert (
        "item tst_type_delict: condition refers to 'tst_nederlands', which is not an item above it"
        in problems
    )
    assert (
        "item tst_nederlands: condition item 'tst_datum_instroom' has no answer"
        in problems
    )
    assert "item tst_geboortejaar: a number item needs a unit" in problems
    assert "item tst_geboortejaar: min is above max" in problems
    assert "item tst_nederlands: ['unit'] only go with a number item" in problems
    assert (
        "item tst_tevredenheid: derived_from needs an item recorded per person"
        in problems
    )


def test_recording_level_follows_the_topic_unless_the_item_says_otherwise(db):
    site = SiteFactory(code="aaa")
    data = small_catalogue_data("aaa")
    data["topics"][2]["recorded_at"] = "persoon"
    data["topics"][2]["items"][0]["items"][0]["recorded_at"] = "kv"
    data["topics"][0]["items"].append(
        {
            "var": "tst_taal_toelichting",
            "text": "Indien ja, welke taal",
            "answer_type": "text",
            "moments": [],
            "condition": {"var": "tst_nederlands", "answer": "no"},
        }
    )
    catalogue = catalogue_from_data(site, data)
    levels = dict(catalogue.items.values_list("var", "recorded_at"))
    assert levels["tst_verloop"] == "persoon"
    assert levels["tst_tevredenheid"] == "kv"
    assert levels["tst_nederlands"] == "persoon"
    item = catalogue.items.get(var="tst_taal_toelichting")
    assert item.condition == {"var": "tst_nederlands", "answer": "no"}
    assert item.condition_met(False) is True
    assert item.condition_met(True) is False
    assert item.condition_met(None) is None
    year = catalogue.items.get(var="tst_geboortejaar")
    assert (year.unit, year.min_value, year.max_value) == ("jaartal", 1900, 2015)


def test_the_activities_topics_are_recorded_per_person_and_cooperation_per_kv():
    parsed = {p.data["site"]: p.data for p in parse_catalogue_dir()}
    for site, data in parsed.items():
        for topic in data["topics"]:
            level = topic_recorded_at(topic)
            if topic["title"] in (
                "Verloop en ervaring in KV",
                "Samenwerking/netwerkorganisatie",
            ):
                assert level == "kv", (site, topic["code"])
            else:
                assert level == "persoon", (site, topic["code"])

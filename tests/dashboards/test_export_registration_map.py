"""The research export carries the registration map (research question 3b)
in its codebook and in the sheet "registratiekaart", and keeps KV-level
answers of different respondent groups apart; read back with openpyxl and
pyreadstat as a researcher would."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from evaluation.models import AnswerType, Item
from evaluation.registration import registration_map
from tests.dashboards.builders import krimpen_catalogue
from tests.dashboards.files import as_dicts, workbook_sheets
from tests.dashboards.test_exports import export
from tests.factories import SiteFactory

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2019-01-01", "end": "2020-12-31"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def krimpen_with_catalogue(db):
    site = SiteFactory(code="krimpen", name="KV Krimpen")
    return site, krimpen_catalogue(site)


def test_codebook_says_for_every_item_where_it_is_registered(
    client, krimpen_with_catalogue
):
    site, catalogue = krimpen_with_catalogue
    _job, content = export(client, site, **PERIOD)
    sheets = workbook_sheets(content)
    codebook = {
        (row["blad"], row["variabele"]): row for row in as_dicts(sheets["codebook"])
    }
    birth_year = codebook[("personen_lang", "kri_dg_geboortejaar")]
    assert birth_year["vastgelegd"] == "vastgelegd in deze applicatie"
    assert birth_year["vastgelegd_in"] == "core.Person.date_of_birth"
    assert birth_year["weg_naar_dataset"] == (
        "afgeleid uit de registratie van deze applicatie"
    )
    conviction = codebook[("personen_lang", "kri_rec_veroordeling")]
    assert conviction["vastgelegd"] == "vastgelegd in een extern systeem"
    assert conviction["vastgelegd_in"] == "Justid (justitiële documentatie)"
    assert conviction["weg_naar_dataset"].startswith("overgenomen uit een externe")
    experience = codebook[("personen_lang", "kri_wd_voelt_veilig")]
    assert (experience["vastgelegd"], experience["vastgelegd_in"]) == (
        "nergens vastgelegd",
        "nergens",
    )
    # every exported catalogue item carries its entry; registration columns
    # (stays, intake cases) are no catalogue items and carry none
    item_vars = set(
        Item.objects.filter(catalogue=catalogue).values_list("var", flat=True)
    )
    item_rows = [
        row
        for (_sheet, name), row in codebook.items()
        if name.removesuffix("_ontbr") in item_vars
    ]
    assert len(item_rows) > 50
    assert all(row["vastgelegd"] and row["weg_naar_dataset"] for row in item_rows)
    assert not codebook[("verblijven", "placed_on")]["vastgelegd"]


def test_registration_sheet_holds_the_shares_of_the_page(
    client, krimpen_with_catalogue, tmp_path
):
    site, catalogue = krimpen_with_catalogue
    _job, content = export(client, site, **PERIOD)
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    rows = as_dicts(
        [tuple(r) for r in workbook["registratiekaart"].iter_rows(values_only=True)]
    )
    (site_map,) = registration_map([catalogue])
    assert [row["topic_code"] for row in rows] == [t.code for t in site_map.topics]
    for row, node in zip(rows, site_map.topics, strict=True):
        assert row["site"] == "krimpen"
        assert row["items"] == node.total
        assert [
            row["held_app"],
            row["held_external"],
            row["held_nowhere"],
            row["held_unmapped"],
        ] == [share.count for share in node.holder_shares]
        assert [
            row["route_derived"],
            row["route_researcher"],
            row["route_external_link"],
            row["route_unmapped"],
        ] == [share.count for share in node.route_shares]
    assert sum(row["items"] for row in rows) == (
        Item.objects.filter(catalogue=catalogue)
        .exclude(answer_type=AnswerType.GROUP)
        .count()
    )
    # SPSS reads the same counts, labelled in Dutch
    import pyreadstat

    _job, sav = export(client, site, format="sav", **PERIOD)
    archive = zipfile.ZipFile(io.BytesIO(sav))
    path = archive.extract("registratiekaart.sav", path=str(tmp_path))
    frame, meta = pyreadstat.read_sav(path)
    assert list(frame["held_app"]) == [row["held_app"] for row in rows]
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["held_nowhere"] == "Nergens vastgelegd (items)"


def test_items_loaded_before_the_map_are_exported_as_not_mapped_yet(
    client, krimpen_with_catalogue
):
    """A catalogue loaded before the registration map existed (its items have
    no entry yet) still exports: its items count as "not mapped yet" on the
    registration sheet and in the codebook, and every share still adds up."""
    site, catalogue = krimpen_with_catalogue
    items = Item.objects.filter(catalogue=catalogue).exclude(
        answer_type=AnswerType.GROUP
    )
    unmapped = list(items.order_by("pk")[:5].values_list("var", flat=True))
    items.filter(var__in=unmapped).update(registered_in="", reaches_dataset="")
    _job, content = export(client, site, **PERIOD)
    sheets = workbook_sheets(content)
    rows = as_dicts(sheets["registratiekaart"])
    assert sum(row["held_unmapped"] for row in rows) == len(unmapped)
    assert sum(row["route_unmapped"] for row in rows) == len(unmapped)
    for row in rows:
        held = ("held_app", "held_external", "held_nowhere", "held_unmapped")
        assert sum(row[name] for name in held) == row["items"]
    codebook = {row["variabele"]: row for row in as_dicts(sheets["codebook"])}
    for var in unmapped:
        assert codebook[var]["vastgelegd"] == "nog niet in kaart gebracht"
    # the researcher's page names the same share
    page = client.get(f"/evaluation/sites/{site.code}/registration-map/")
    assert page.status_code == 200
    assert "nog niet in kaart gebracht" in page.content.decode().lower()


def test_kv_answers_of_different_respondent_groups_stay_apart(client, tmp_path):
    import datetime

    import pyreadstat

    from evaluation.models import KvAnswer
    from evaluation.services import AnswerInput, kv_measurement_create
    from evaluation.services import measurement_save as save
    from tests.factories import small_catalogue_data, user_with_role
    from tests.factories.evaluation import catalogue_from_data

    site = SiteFactory(code="middelburg", name="KV Middelburg")
    data = small_catalogue_data(site.code, prefix="grp")
    data["topics"][2]["items"].append(
        {
            "var": "grp_ervaring",
            "text": "Ervaring samenwerking",
            "answer_type": "scale5",
            "moments": [],
            "registration": {"held_in": "none", "route": "researcher"},
        }
    )
    catalogue = catalogue_from_data(site, data)
    item = catalogue.items.get(var="grp_ervaring")
    kv = kv_measurement_create(
        site=site,
        period_start=datetime.date(2020, 1, 1),
        period_end=datetime.date(2020, 6, 30),
    )
    researcher = user_with_role("researcher", site)
    for group, value in (("staff", "positief"), ("detainees", "zeer_negatief")):
        kv.refresh_from_db()
        save(
            measurement=kv,
            answers={item: AnswerInput(value=value)},
            expected_version=kv.version,
            user=researcher,
            respondent_group=group,
        )
    # an answer from before the groups: not specified
    KvAnswer.objects.create(kv_measurement=kv, item=item, value="neutraal")
    _job, content = export(client, site, **PERIOD)
    sheets = workbook_sheets(content)
    rows = as_dicts(sheets["kv_metingen"])
    assert [(row["respondent_group"], row["grp_ervaring"]) for row in rows] == [
        (0, 3),
        (2, 4),
        (5, 1),
    ]
    labels = {
        row["code"]: row["label"]
        for row in as_dicts(sheets["waardelabels"])
        if (row["blad"], row["variabele"]) == ("kv_metingen", "respondent_group")
    }
    assert labels == {
        0: "niet gespecificeerd",
        1: "Directie en projectleiding",
        2: "Medewerkers",
        3: "Gemeente",
        4: "Externe ketenpartners",
        5: "Gedetineerden",
    }
    codebook = {
        (row["blad"], row["variabele"]): row for row in as_dicts(sheets["codebook"])
    }
    assert (
        "een rij per KV, periode en respondentgroep"
        in (codebook[("kv_metingen", "respondent_group")]["label"])
    )
    _job, sav = export(client, site, format="sav", **PERIOD)
    path = zipfile.ZipFile(io.BytesIO(sav)).extract(
        "kv_metingen.sav", path=str(tmp_path)
    )
    frame, meta = pyreadstat.read_sav(path)
    assert list(frame["respondent_group"]) == [0, 2, 5]
    assert meta.variable_value_labels["respondent_group"][5] == "Gedetineerden"

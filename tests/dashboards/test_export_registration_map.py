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
        assert [row["held_app"], row["held_external"], row["held_nowhere"]] == [
            share.count for share in node.holder_shares
        ]
        assert [
            row["route_derived"],
            row["route_researcher"],
            row["route_external_link"],
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

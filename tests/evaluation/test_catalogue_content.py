# ruff: noqa: E501, RUF001 - report wording is compared verbatim
"""The loaded catalogues match tables B4.1-B4.5 of the report one to one.

Per site the whole listing is compared: every topic title in report order,
its items and their sub-items, word for word. The listing is kept in
``report_tables/<site>.txt``, transcribed from the report text (not from the
catalogue files): "## " starts a topic, "- " an item, "  - " a sub-item
("o" bullets, and the bullets under an unbulleted sub-heading such as
"Verloop samenwerking" or "Slachtoffer:", which is the item holding them).

Transcription conventions, shared with the catalogue files: PDF hyphenation
at line breaks is repaired (real hyphens such as "re-integratie" are kept);
trailing colons of headings are dropped; "Indien nee, reden waarom niet"
lines are part of their yes/no item, not items of their own; remarks in
square brackets and "Maatschappij: geen nulmeting" are item notes, not item
text; the measurement-moment column ("Nulmeting", "Eindmeting", "Nameting")
is not part of the text.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation.catalogue import load_catalogues
from evaluation.models import CatalogueVersion, Item
from evaluation.selectors import catalogue_tree
from tests.factories import SiteFactory

pytestmark = pytest.mark.django_db

SITES = ["almelo", "amsterdam", "krimpen", "middelburg", "rotterdam"]
REPORT_TABLES = Path(__file__).parent / "report_tables"

Listing = list[tuple[str, list[tuple[str, list[str]]]]]


def report_table(site_code: str) -> Listing:
    """(topic title, [(item text, [sub-item texts])]) from the site's txt file."""
    topics: Listing = []
    path = REPORT_TABLES / f"{site_code}.txt"
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{path.name}:{number}"
        if number == 1 and line.startswith("#"):
            continue
        if line.startswith("## "):
            topics.append((line[3:], []))
        elif line.startswith("- "):
            assert topics, f"{where}: item before the first topic"
            topics[-1][1].append((line[2:], []))
        elif line.startswith("  - "):
            assert topics, f"{where}: sub-item before the first topic"
            assert topics[-1][1], f"{where}: sub-item without an item"
            topics[-1][1][-1][1].append(line[4:])
        else:
            raise AssertionError(f"{where}: unexpected line {line!r}")
    return topics


def counts(listing: Listing) -> list[tuple[str, int, int]]:
    """(topic title, items, sub-items) per topic, for the failure message."""
    return [
        (title, len(items), sum(len(subs) for _, subs in items))
        for title, items in listing
    ]


# (site, variable, text as in the report with the PDF hyphenation repaired)
SPOT_CHECKS = [
    ("almelo", "alm_in_aandragen_netwerk", "Aandragen gedetineerden door netwerkpartners"),
    ("almelo", "alm_in_zv_plan", "Opstellen zorg- en veiligheidsplan"),
    ("almelo", "alm_dg_uitsluiting_straf", "Opgelegde levenslange gevangenisstraf, Tbs-maatregel, vertrekplicht/uitlevering, ISD-maatregel (m.u.v. extramurale fase), extra beveiligde inrichting of terrorismeafdeling"),
    ("almelo", "alm_hv_maatschappij", "Maatschappij"),
    ("amsterdam", "ams_dg_snap_en_doe", "Sprake van beperkt ‘snap en doe’ vermogen"),
    ("amsterdam", "ams_sw_verloop", "Verloop samenwerking"),
    ("krimpen", "kri_dg_afstand_uitstroomgemeente", "Afstand tot uitstroomgemeente (<100 km t.o.v. Krimpen)"),
    ("krimpen", "kri_wd_basisvoorwaarden", "Voldoet aan vijf basisvoorwaarden voor re-integratie"),
    ("middelburg", "mid_in_prescan", "Pre-scan"),
    ("middelburg", "mid_sw_verloop", "Verloop samenwerking"),
    ("rotterdam", "rot_out_groepsgerichte_ondst", "Groepsgerichte ondersteuning: DJI-medewerkers voldoende in staat voor het bieden van groepsgerichte ondersteuning"),
    ("rotterdam", "rot_in_aanm_rechter_commissaris", "De Rechter-Commissaris"),
]  # fmt: skip


@pytest.fixture
def catalogues():
    for code in SITES:
        SiteFactory(code=code)
    load_catalogues()
    return {c.site.code: c for c in CatalogueVersion.objects.select_related("site")}


@pytest.mark.parametrize("site_code", SITES)
def test_catalogue_topics_and_items_match_the_report_table(catalogues, site_code):
    expected = report_table(site_code)
    found = [
        (
            node.topic.title,
            [(item.text, [sub.text for sub in subs]) for item, subs in node.items],
        )
        for node in catalogue_tree(catalogues[site_code])
    ]
    assert found == expected, (
        f"catalogue {site_code} differs from report_tables/{site_code}.txt; "
        f"(topic, items, sub-items) found {counts(found)}, "
        f"expected {counts(expected)}"
    )


def test_every_report_table_is_transcribed():
    assert sorted(p.stem for p in REPORT_TABLES.glob("*.txt")) == SITES
    for site_code in SITES:
        assert all(items for _, items in report_table(site_code)), site_code


@pytest.mark.parametrize(("site_code", "var", "text"), SPOT_CHECKS)
def test_catalogue_item_text_is_the_report_wording(catalogues, site_code, var, text):
    item = Item.objects.get(catalogue=catalogues[site_code], var=var)
    assert item.text == text


def test_verloop_samenwerking_is_a_group_inside_the_cooperation_topic(catalogues):
    groups = Item.objects.filter(text="Verloop samenwerking").select_related("topic")
    assert sorted(g.catalogue.site.code for g in groups) == SITES
    assert {g.topic.title for g in groups} == {"Samenwerking/netwerkorganisatie"}
    assert all(g.children.count() == 5 for g in groups)


def test_every_site_has_the_four_recidivism_nameting_items_with_source(catalogues):
    for catalogue in catalogues.values():
        items = Item.objects.filter(catalogue=catalogue, record_source=True)
        assert [i.moments for i in items] == [["nameting"]] * 4
        assert items[0].text == "Voorlopige hechtenis sinds datum uitstroom"


def test_long_term_scale_items_are_asked_at_nul_eind_and_nameting(catalogues):
    item = Item.objects.get(
        catalogue=catalogues["middelburg"], var="mid_hd_woonsituatie"
    )
    assert item.answer_type == "scale5"
    assert item.moments == ["nulmeting", "eindmeting", "nameting"]
    assert item.choice_pairs()[0] == ("zeer_positief", "zeer positief")


def test_registered_values_are_mapped_as_derived_items(catalogues):
    derived = dict(
        Item.objects.filter(catalogue=catalogues["krimpen"])
        .exclude(derived_from="")
        .values_list("var", "derived_from")
    )
    assert derived == {
        "kri_dg_datum_instroom": "stay.placed_on",
        "kri_dg_geslacht": "person.gender",
        "kri_dg_geboortejaar": "person.birth_year",
        "kri_uit_datum_uitstroom": "stay.ended_on",
        "kri_act_plan_zelfstandig": "plan.written_by_detainee",
        "kri_in_motivatiebrief": "intake_stage.application",
        "kri_in_kennismakingsgesprek": "intake_stage.introduction",
        "kri_in_bespreking_mdo": "intake_stage.mdo_decision",
        "kri_act_arbeidsconsulent": "job_search.labour_consultant",
        "kri_act_zoeken_vacatures": "job_search.vacancy_search",
        "kri_act_contact_werkgevers": "job_search.employer_contact",
        "kri_act_gesprekken_werkgevers": "job_search.job_interview",
        "kri_act_cursus_training": "job_search.course",
        "kri_act_thema_avond": "job_search.theme_evening",
        "kri_act_extramurale_arbeid": "work.any_job",
        "kri_act_continuering_extramuraal": "work.job_continued",
        "kri_wd_betaalde_baan": "work.paid_job_found",
        "kri_arb_betaalde_arbeid_detentie": "work.paid_job_found",
        "kri_arb_continuering_na_detentie": "work.paid_job_continued",
    }

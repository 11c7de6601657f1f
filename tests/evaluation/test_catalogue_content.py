# ruff: noqa: E501, RUF001 - report wording is compared verbatim
"""The loaded catalogues match tables B4.1-B4.5 of the report one to one.

Per site: every topic title in report order with its number of bullet items
and sub-items ("o" bullets, plus the unbulleted sub-headings such as
"Verloop samenwerking" that hold bullets as a group). "Indien nee, reden
waarom niet" lines are part of their yes/no item, not items of their own.
"""

from __future__ import annotations

import pytest

from evaluation.catalogue import load_catalogues
from evaluation.models import CatalogueVersion, Item
from evaluation.selectors import catalogue_tree
from tests.factories import SiteFactory

pytestmark = pytest.mark.django_db

SITES = ["almelo", "amsterdam", "krimpen", "middelburg", "rotterdam"]

# (topic title, top-level items, sub-items), in report order.
TABLES = {
    "almelo": [  # Tabel B4.1
        ("Instroom", 4, 14),
        ("Kenmerken gedetineerde ten tijde van instroom", 17, 3),
        ("Activiteiten", 17, 0),
        ("Verloop en ervaring in KV", 3, 7),
        ("Samenwerking/netwerkorganisatie", 4, 5),
        ("Werkdoelen", 10, 0),
        ("Hoofddoel re-integratie en resocialisatie bevorderen", 8, 0),
        ("Hoofddoel continuïteit zorg en/of begeleiding", 2, 0),
        ("Hoofddoel herstel op vier lagen", 7, 14),
        ("Einddoel voorkomen van recidive", 4, 0),
        ("Algemene uitstroomgegevens", 1, 0),
    ],
    "amsterdam": [  # Tabel B4.2
        ("Instroom", 8, 0),
        ("Kenmerken gedetineerde ten tijde van instroom", 21, 9),
        ("Activiteiten", 13, 0),
        ("Verloop en ervaring in KV", 3, 5),
        ("Samenwerking/netwerkorganisatie", 4, 5),
        ("Werkdoelen", 10, 0),
        ("Hoofddoel maatschappelijke participatie bevorderen", 1, 5),
        ("Hoofddoel continuïteit zorg", 1, 0),
        ("Hoofddoel herstel naar slachtoffer en maatschappij", 3, 5),
        ("Einddoel voorkomen van recidive", 4, 0),
        ("Algemene uitstroomgegevens", 1, 0),
    ],
    "krimpen": [  # Tabel B4.3
        ("Instroom", 4, 0),
        ("Kenmerken gedetineerde ten tijde van instroom", 17, 3),
        ("Activiteiten", 28, 0),
        ("Verloop en ervaring in KV", 3, 5),
        ("Samenwerking/netwerkorganisatie", 4, 5),
        ("Werkdoelen", 8, 6),
        ("Hoofddoel duurzame arbeidsintegratie", 2, 0),
        ("Hoofddoel herstel relaties", 3, 0),
        ("Einddoel voorkomen van recidive", 4, 0),
        ("Algemene uitstroomgegevens", 1, 0),
    ],
    "middelburg": [  # Tabel B4.4
        ("Instroom", 4, 9),
        ("Kenmerken gedetineerde ten tijde van instroom", 9, 7),
        ("Activiteiten", 5, 0),
        ("Verloop en ervaring in KV", 3, 5),
        ("Samenwerking/netwerkorganisatie", 5, 5),
        ("Werkdoelen", 5, 6),
        ("Hoofddoelen detentieschade voorkomen en re-integratie bevorderen", 8, 0),
        ("Einddoel voorkomen van recidive", 4, 0),
        ("Algemene uitstroomgegevens", 1, 0),
    ],
    "rotterdam": [  # Tabel B4.5
        ("Instroom", 1, 4),
        ("Kenmerken gedetineerde ten tijde van instroom", 15, 9),
        ("Activiteiten", 25, 0),
        ("Verloop en ervaring in KV", 3, 5),
        ("Samenwerking/netwerkorganisatie", 4, 5),
        ("Werkdoelen", 8, 0),
        ("Hoofddoelen detentieschade voorkomen en re-integratie bevorderen", 8, 0),
        ("Einddoel voorkomen van recidive", 4, 0),
        ("Algemene uitstroomgegevens", 1, 0),
    ],
}

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
    tree = catalogue_tree(catalogues[site_code])
    found = [
        (node.topic.title, len(node.items), sum(len(subs) for _, subs in node.items))
        for node in tree
    ]
    assert found == TABLES[site_code]


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

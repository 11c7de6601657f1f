"""The export files of a cohort entered through the services, read back by
the tools researchers use: PSPP and pyreadstat read the same values, labels
and missing values as Excel shows; the Bijlage 7 figures on the page are
recomputed from the files alone; no text cell can run as a formula."""

from __future__ import annotations

import csv
import io
import re
import statistics
import zipfile
from collections import defaultdict

import pytest
from django.urls import reverse

from intake.models import IntakeStageDefinition
from tests.dashboards.cohort import END, HAND_COUNTS, START, krimpen_cohort
from tests.dashboards.files import as_dicts, compare_with_workbook, workbook_sheets
from tests.dashboards.test_exports import export
from tests.factories import user_with_role
from trajectories.models import GoalDomain, ProgrammePhase

pytestmark = pytest.mark.django_db

PERIOD = {"start": START.isoformat(), "end": END.isoformat()}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cohort(db):
    return krimpen_cohort()


def test_spss_and_stata_files_read_back_as_the_workbook_shows(client, cohort, tmp_path):
    site, _stays = cohort
    _job, xlsx = export(client, site, **PERIOD)
    workbook = workbook_sheets(xlsx)
    _job, sav = export(client, site, format="sav", **PERIOD)
    problems = compare_with_workbook(sav, workbook, ".sav", tmp_path / "sav")
    assert not problems, "\n".join(problems[:20])
    _job, dta = export(client, site, format="dta", **PERIOD)
    problems = compare_with_workbook(dta, workbook, ".dta", tmp_path / "dta")
    assert not problems, "\n".join(problems[:20])


def _codes(workbook, sheet, variable):
    """label -> code of a coded variable, from the waardelabels sheet."""
    return {
        row["label"]: row["code"]
        for row in as_dicts(workbook["waardelabels"])
        if (row["blad"], row["variabele"]) == (sheet, variable)
    }


def recompute_b7(workbook) -> dict[str, list]:
    """Bijlage 7 from the exported sheets alone, by the rules the page
    documents (its "Bronnen"): nothing here reads the database."""
    stays = [row for row in as_dicts(workbook["verblijven"]) if row["participant"]]
    everyone = {row["stay_code"] for row in stays}
    n = len(everyone)
    moments = _codes(workbook, "personen_lang", "moment")
    order = [moments[m] for m in ("nulmeting", "tussenmeting", "eindmeting")]
    order.append(moments["nameting"])
    latest: dict[str, dict] = {}
    for row in as_dicts(workbook["personen_lang"]):
        if row["stay_code"] not in everyone:
            continue
        rank = (order.index(row["moment"]), row["sequence"])
        current = latest.get(row["stay_code"])
        if current is None or rank >= (
            order.index(current["moment"]),
            current["sequence"],
        ):
            latest[row["stay_code"]] = row

    def yes(var, among=everyone):
        return {code for code, row in latest.items() if row.get(var) == 1} & among

    plans = as_dicts(workbook["plannen"])
    with_plan = {row["stay_code"] for row in plans} & everyone
    kinds = _codes(workbook, "incidenten", "kind")
    searches = _codes(workbook, "zoekactiviteiten_werk", "kind")
    used = defaultdict(set)
    for row in as_dicts(workbook["zoekactiviteiten_werk"]):
        if row["used"] == 1:
            used[row["kind"]].add(row["stay_code"])
    pay = _codes(workbook, "werk", "pay_kind")
    origin = _codes(workbook, "werk", "origin")
    found = defaultdict(set)
    for row in as_dicts(workbook["werk"]):
        if row["origin"] == origin["gevonden tijdens detentie"]:
            found[row["pay_kind"]].add(row["stay_code"])
    roles = _codes(workbook, "partnerrollen", "role")
    partner_kinds = _codes(workbook, "activiteiten", "partner_kind")
    goal_stay = {
        row["goal_code"]: row["stay_code"] for row in as_dicts(workbook["doelen"])
    }
    partners = {
        goal_stay[row["goal_code"]]
        for row in as_dicts(workbook["activiteiten"])
        if row["partner_kind"] not in (None, partner_kinds["vrijwilligersorganisatie"])
    }
    ages = [row["age_at_placement"] for row in stays]
    days = [row["length_days"] for row in stays]
    conditions = [
        "kri_wd_identiteitsbewijs",
        "kri_wd_zicht_onderdak",
        "kri_wd_zicht_inkomen",
        "kri_wd_aanpak_schulden",
        "kri_wd_zorgverzekering",
    ]
    five = {
        code
        for code, row in latest.items()
        if all(row.get(c) == 1 or (c == "kri_wd_aanpak_schulden" and row.get(c) == -94)
               for c in conditions)
    }  # fmt: skip
    paid = found[pay["betaald"]] & everyone
    unpaid = (found[pay["onbetaald"]] | found[pay["vrijwilligerswerk"]]) & everyone
    unpaid -= paid
    unknown = {c for c, r in latest.items() if r.get("kri_wd_betaalde_baan") == -93}
    unknown -= paid | unpaid
    drugs = {
        row["stay_code"]
        for row in as_dicts(workbook["incidenten"])
        if row["kind"] == kinds["drugsgebruik"]
    }
    buddies = {
        row["stay_code"]
        for row in as_dicts(workbook["partnerrollen"])
        if row["role"] == roles["vrijwilliger of buddy"]
    }
    written = {row["stay_code"] for row in plans if row["written_by_detainee"] == 1}
    figures = {
        "age_mean": [round(statistics.mean(ages)), n],
        "age_min": [min(ages), n],
        "age_max": [max(ages), n],
        "duration_mean": [round(statistics.mean(days))],
        "duration_min": [min(days)],
        "duration_max": [max(days)],
        "drug_use": drugs & everyone,
        "house_rules": yes("kri_act_naleving_gedragsregels"),
        "group_functioning": yes("kri_act_functioneert_groep"),
        "five_conditions": five,
        "social_network": yes("kri_wd_ondersteunend_netwerk"),
        "plan_independent": written & everyone,
        "volunteer_assigned": (buddies & with_plan, with_plan),
        "volunteer_support": (yes("kri_act_ondersteuning_buddy", with_plan), with_plan),
        "network_support": (yes("kri_act_ondersteuning_netwerk", with_plan), with_plan),
        "partner_involved": (partners & with_plan, with_plan),
        "paid_job": paid,
        "unpaid_job": unpaid,
        "unknown_job": unknown,
    }
    for code, label in [
        ("labour_consultant", "Ondersteuning arbeidsconsulent"),
        ("vacancy_search", "Actief zoeken naar vacatures"),
        ("employer_contact", "Contact leggen met werkgevers"),
        ("job_interview", "Gesprekken met werkgevers"),
        ("course", "Deelname cursus of training"),
        ("theme_evening", "Deelname thema-avond"),
    ]:
        kind = next(c for text, c in searches.items() if text.startswith(label))
        figures[code] = used[kind] & everyone
    result = {}
    for code, value in figures.items():
        if isinstance(value, tuple):
            result[code] = [len(value[0]), len(value[1])]
        elif isinstance(value, set):
            result[code] = [len(value), n]
        else:
            result[code] = value
    return result


def test_bijlage_7_recomputed_from_the_exported_files_equals_the_page(client, cohort):
    site, _stays = cohort
    _job, xlsx = export(client, site, **PERIOD)
    recomputed = recompute_b7(workbook_sheets(xlsx))
    assert set(recomputed) == set(HAND_COUNTS)
    client.force_login(user_with_role("project_leader", site))
    body = client.get(
        reverse("dashboards:site_dashboard", args=[site.code]), PERIOD
    ).content.decode()
    for code, values in recomputed.items():
        row = re.search(rf'<tr id="b7-row-{code}">(.*?)</tr>', body, re.S)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
        shown = [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]
        assert shown[: len(values)] == [str(v) for v in values], code
    # and the export's own Bijlage 7 sheet says the same
    sheet = {row["row"]: row for row in as_dicts(workbook_sheets(xlsx)["bijlage7"])}
    for code, values in recomputed.items():
        assert sheet[code]["value"] == values[0], code


FORMULAS = ("=", "+", "-", "@", "\t", "\r")


def test_no_text_cell_of_a_full_export_can_run_as_a_formula(client, cohort):
    site, _stays = cohort
    # every place a user or an administrator can type text that reaches a
    # text column of the export
    site.name = '=HYPERLINK("http://x","klik")'
    site.alias = "+SUM(1,1)"
    site.save()
    IntakeStageDefinition.objects.filter(process__site=site).update(name="-2+3")
    site.intake_processes.first().entry_routes.update(name="@SUM(A1)")
    ProgrammePhase.objects.filter(site=site).update(name="\tTAB")
    GoalDomain.objects.update(name="\rCR")
    from evaluation.models import Item

    Item.objects.filter(catalogue__site=site, answer_type="yes_no").update(text="=1+1")
    _job, xlsx = export(client, site, **PERIOD)
    sheets = workbook_sheets(xlsx)
    text_columns = {
        (row["blad"], row["variabele"])
        for row in as_dicts(sheets["codebook"])
        if row["type"] == "tekst"
    }
    assert len(text_columns) > 40
    dangerous, neutralised = [], 0
    for name, rows in sheets.items():
        for row in rows[1:]:
            for header, value in zip(rows[0], row, strict=False):
                text = name in ("over_dit_bestand", "codebook", "waardelabels")
                if not (text or (name, header) in text_columns):
                    continue
                if isinstance(value, str) and value.startswith(FORMULAS):
                    dangerous.append((name, header, value))
                if isinstance(value, str) and value.startswith("'"):
                    neutralised += 1
    assert not dangerous, dangerous[:10]
    assert neutralised > 10  # the typed formulas are there, made harmless
    _job, content = export(client, site, format="csv", **PERIOD)
    archive = zipfile.ZipFile(io.BytesIO(content))
    for name in archive.namelist():
        reader = csv.reader(
            io.StringIO(archive.read(name).decode("utf-8-sig")), delimiter=";"
        )
        header = next(reader)
        sheet = name.removesuffix(".csv")
        meta = sheet in ("over_dit_bestand", "codebook", "waardelabels")
        numeric = {
            h
            for h in header
            if (not meta and (sheet, h) not in text_columns)
            or (sheet, h) == ("waardelabels", "code")
        }
        for row in reader:
            for column, value in zip(header, row, strict=False):
                if column in numeric:
                    continue
                assert not value.startswith(FORMULAS), (name, column, value)


def test_the_pspp_check_catches_the_long_string_missing_values_warning(tmp_path):
    """What the export avoids: a string longer than 8 bytes with more than
    one missing value, as ReadStat writes it, makes PSPP warn."""
    import pandas
    import pyreadstat

    from tests.dashboards.files import pspp_messages

    path = tmp_path / "strings.sav"
    frame = pandas.DataFrame({"day": ["2020-01-01", "-91", "2021-02-03"]})
    pyreadstat.write_sav(
        frame, str(path), missing_ranges={"day": ["-91", "-92", "-93"]}
    )
    assert "subtype 22" in pspp_messages(path)


@pytest.mark.parametrize("export_format", ["sav", "dta"])
def test_a_date_column_that_starts_with_many_empty_cells_stays_a_date(
    export_format, tmp_path
):
    """pyreadstat guesses an object column's type from its first hundred
    values; a date column empty in the first rows of a large export (an
    outflow date of stays still running) must still be written as dates."""
    import datetime

    import pyreadstat

    from dashboards.exports.codebook import DATE, Column
    from dashboards.exports.writers import WRITERS
    from tests.dashboards.files import pspp_messages

    dates = [None] * 150 + [datetime.date(2020, 2, 29), datetime.date(1999, 12, 31)]
    writer = WRITERS[export_format](tmp_path / "export.zip")
    writer.sheet(
        "verblijven",
        [Column("left_on", "Uitstroomdatum", DATE)],
        [[value] for value in dates],
    )
    writer.close()
    name = f"verblijven.{export_format}"
    zipfile.ZipFile(tmp_path / "export.zip").extract(name, tmp_path)
    read = pyreadstat.read_sav if export_format == "sav" else pyreadstat.read_dta
    frame, meta = read(str(tmp_path / name))
    values = [None if v is None or v != v else v for v in frame["left_on"]]
    assert values == dates
    if export_format == "sav":
        assert meta.original_variable_types["left_on"].startswith("DATE")
        assert pspp_messages(tmp_path / name) == ""
    else:
        assert meta.original_variable_types["left_on"] == "%td"


def test_the_workbook_passes_the_checks_excel_makes_on_opening(client, cohort):
    from tests.dashboards.files import excel_problems

    site, _stays = cohort
    _job, xlsx = export(client, site, **PERIOD)
    assert excel_problems(xlsx) == []


def test_the_excel_check_finds_what_excel_would_refuse_or_repair():
    import warnings

    from openpyxl import Workbook

    from tests.dashboards.files import excel_problems

    workbook = Workbook()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns, Excel refuses
        workbook.active.title = "een_bladnaam_langer_dan_31_tekens"
    workbook.active["A1"] = "=1+1"
    buffer = io.BytesIO()
    workbook.save(buffer)
    said = "\n".join(excel_problems(buffer.getvalue()))
    assert "sheet name 'een_bladnaam_langer_dan_31_tekens'" in said
    assert "a formula" in said
    broken = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(broken, "w") as target,
    ):
        for name in source.namelist():
            content = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                content = content.replace(b"</sheetData>", b"<row r='1'></sheetData>")
            target.writestr(name, content)
    assert "sheet1.xml" in "\n".join(excel_problems(broken.getvalue()))

"""The research export: self-describing, typed, labelled, pseudonymised files
in every format, logged, and safe to open in a spreadsheet."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from core.models import AuditEvent, AuditKind
from dashboards.exports.codebook import MISSING_LABELS
from dashboards.models import ExportFormat, ExportJob, ExportStatus
from evaluation.models import Measurement, MeasurementStatus
from tests.dashboards.builders import AGES, bijlage7_people
from tests.factories import MembershipFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def export(client, site, **extra):
    get_user_model().objects.filter(username="rita").delete()
    researcher = UserFactory(username="rita")
    MembershipFactory(user=researcher, site=site, role="researcher")
    client.force_login(researcher)
    data = {
        "start": "2018-01-01",
        "end": "2020-09-15",
        "sites": [site.pk],
        "format": "xlsx",
        **extra,
    }
    # the task runs in the test process when the request commits (KV_TASKS_SYNC)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("dashboards:export_list"), data)
    assert response.status_code == 302
    job = ExportJob.objects.order_by("-pk").first()
    assert job.status == ExportStatus.DONE, job.error
    download = client.get(reverse("dashboards:export_download", args=[job.pk]))
    assert download.status_code == 200
    return job, b"".join(download.streaming_content)


def sheet_rows(workbook, name):
    return list(workbook[name].iter_rows(values_only=True))


def column(workbook, sheet, name):
    rows = sheet_rows(workbook, sheet)
    index = rows[0].index(name)
    return [row[index] for row in rows[1:]]


def test_workbook_describes_itself_and_every_column_it_holds(client):
    site, _stays = bijlage7_people()
    job, content = export(client, site)
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    assert workbook.sheetnames[:3] == ["over_dit_bestand", "codebook", "waardelabels"]
    about = dict(sheet_rows(workbook, "over_dit_bestand")[1:])
    assert about["export"] == f"onderzoeksexport #{job.pk}"
    assert about["gemaakt_door_rol"] == "onderzoeker"
    assert about["periode_van"] == "01-01-2018"
    assert about["periode_tot_en_met"] == "15-09-2020"
    assert "krimpen = KV Krimpen" in about["kvs"]
    assert about["datumverschuiving"].startswith("uit")
    assert "B4.3 versie 2" in about["catalogusversies"]
    assert about["applicatieversie"]
    assert about["gemaakt_op"]

    codebook = sheet_rows(workbook, "codebook")
    header = codebook[0]
    documented = {
        (row[0], row[1]): dict(zip(header, row, strict=False)) for row in codebook[1:]
    }
    exported = set()
    for name in workbook.sheetnames[3:]:
        columns = next(workbook[name].iter_rows(values_only=True))
        exported |= {(name, c) for c in columns}
    assert exported == set(documented)
    assert all(entry["label"] for entry in documented.values())
    assert all(entry["meetniveau"] for entry in documented.values())
    # value labels: the same in the codebook and the waardelabels sheet
    labels = {}
    for sheet, variable, code, label in sheet_rows(workbook, "waardelabels")[1:]:
        labels.setdefault((sheet, variable), {})[code] = label
    for key, entry in documented.items():
        if entry["type"].startswith(("code", "0/1", "ordinale")):
            assert key in labels, key
            for pair in (
                (entry["waardelabels"] or "").removeprefix("codes: ").split("; ")
            ):
                if pair:
                    code, label = pair.split(" = ", 1)
                    assert labels[key][int(code)] == label, key
    network = ("personen_lang", "kri_wd_ondersteunend_netwerk")
    assert labels[network] == {0: "nee", 1: "ja", **MISSING_LABELS}
    assert documented[network]["ontbrekende_waarden"].startswith(
        "gebruikersmissend: -91 = niet gevraagd"
    )
    assert documented[("personen_lang", "kri_dg_strafrestant")]["eenheid"] == "maanden"
    assert labels[("verblijven", "outflow_type")][1] == "einde straf"
    assert labels[("personen_lang", "gender")][1] == "man"


def test_cells_are_typed_dates_numbers_and_codes(client):
    site, stays = bijlage7_people()
    _job, content = export(client, site)
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    placed = column(workbook, "verblijven", "placed_on")
    assert all(isinstance(day, datetime.datetime) for day in placed)
    assert placed[0].date() == stays[0].placed_on
    assert all(
        isinstance(year, int) for year in column(workbook, "verblijven", "birth_year")
    )
    assert set(column(workbook, "verblijven", "participant")) == {0, 1}
    assert set(column(workbook, "verblijven", "outflow_type")) == {1, None}
    ages = column(workbook, "verblijven", "age_at_placement")
    participants = column(workbook, "verblijven", "participant")
    assert sorted(a for a, p in zip(ages, participants, strict=False) if p) == sorted(
        AGES
    )
    long_rows = sheet_rows(workbook, "personen_lang")
    header = long_rows[0]
    network = header.index("kri_wd_ondersteunend_netwerk")
    assert sorted(row[network] for row in long_rows[1:]) == [0, 0, 1, 1, 1, 1, 1, 1]
    debts = header.index("kri_wd_aanpak_schulden")
    assert {row[debts] for row in long_rows[1:]} == {-94}
    assert (
        "kri_wd_ondersteunend_netwerk_eind" in sheet_rows(workbook, "personen_breed")[0]
    )


def test_cancelled_and_never_taken_measurements_are_no_rows_or_columns(client):
    site, stays = bijlage7_people()
    catalogue = Measurement.objects.filter(stay=stays[0]).first().catalogue
    for sequence in range(1, 30):
        Measurement.objects.create(
            stay=stays[0],
            catalogue=catalogue,
            moment="tussenmeting",
            sequence=sequence,
            status=MeasurementStatus.CANCELLED
            if sequence % 2
            else MeasurementStatus.NOT_TAKEN,
        )
    Measurement.objects.create(
        stay=stays[1], catalogue=catalogue, moment="nulmeting", status="planned"
    )
    _job, content = export(client, site)
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    long_rows = sheet_rows(workbook, "personen_lang")
    assert len(long_rows) == 1 + 8  # the eight eindmetingen taken
    wide = sheet_rows(workbook, "personen_breed")[0]
    assert not [name for name in wide if "_tus" in name or "_nul" in name]


def test_per_person_sheets_hold_the_registrations_without_names(client):
    site, _stays = bijlage7_people()
    _job, content = export(client, site)
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    for name in (
        "incidenten",
        "zoekactiviteiten_werk",
        "werk",
        "plannen",
        "doelen",
        "activiteiten",
        "partnerrollen",
    ):
        header = sheet_rows(workbook, name)[0]
        assert header[:3] == ("pseudonym", "site", "stay_code"), name
    assert len(sheet_rows(workbook, "zoekactiviteiten_werk")) == 1 + 8 * 6
    assert len(sheet_rows(workbook, "werk")) == 1 + 7
    assert len(sheet_rows(workbook, "plannen")) == 1 + 7
    roles = column(workbook, "partnerrollen", "role")
    assert len(roles) == 7
    assert set(column(workbook, "activiteiten", "partner_kind")) == {6}  # volunteers


def test_export_holds_no_names_birth_dates_or_dji_numbers(client):
    site, stays = bijlage7_people()
    _job, content = export(client, site, date_shift="on")
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    cells = {
        value.date().isoformat() if isinstance(value, datetime.datetime) else str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    }
    stay_rows = sheet_rows(workbook, "verblijven")
    header = list(stay_rows[0])
    placed_on = {
        row[header.index("pseudonym")]: row[header.index("placed_on")]
        for row in stay_rows[1:]
    }
    for stay in stays:
        person = stay.person
        assert person.pseudonym in cells
        assert person.first_name not in cells
        assert person.last_name not in cells
        assert person.dji_number not in cells
        assert person.date_of_birth.isoformat() not in cells
        # dates are shifted: the person's own row does not hold the real
        # placement date (another person's shifted date may, by chance)
        assert placed_on[person.pseudonym].date() != stay.placed_on
    assert "lasser" not in cells  # free text (a job title) stays out
    assert not {f"Vrijwilliger {index}" for index in range(8)} & cells
    assert "Lasbedrijf Voorbeeld" not in cells  # no employer names
    about = dict(sheet_rows(workbook, "over_dit_bestand")[1:])
    assert about["datumverschuiving"].startswith("aan")


def test_every_export_is_logged_with_filters_and_row_count(client):
    site, _stays = bijlage7_people()
    job, _content = export(client, site, moments=["eindmeting"])
    event = AuditEvent.objects.get(kind=AuditKind.EXPORT)
    assert event.actor.username == "rita"
    assert event.details["row_count"] == job.row_count
    assert event.details["filters"]["moments"] == ["eindmeting"]
    assert event.details["filters"]["site_ids"] == [site.pk]


def test_csv_export_is_typed_text_without_names(client):
    site, stays = bijlage7_people()
    _job, content = export(client, site, format="csv")
    archive = zipfile.ZipFile(io.BytesIO(content))
    names = set(archive.namelist())
    assert {"over_dit_bestand.csv", "codebook.csv", "bijlage7.csv"} <= names
    stays_csv = archive.read("verblijven.csv").decode("utf-8-sig").splitlines()
    header = stays_csv[0].split(";")
    first = stays_csv[1].split(";")
    assert first[header.index("birth_year")].isdigit()  # 1993, not 1993.0
    assert first[header.index("placed_on")] == "2018-03-01"
    text = "".join(archive.read(name).decode("utf-8-sig") for name in names)
    for stay in stays:
        person = stay.person
        assert person.pseudonym in text
        for identifying in (person.last_name, person.dji_number):
            assert identifying not in text
        assert person.date_of_birth.isoformat() not in text


def test_a_researcher_cannot_export_a_site_that_is_not_theirs(client):
    site, _stays = bijlage7_people()
    other = SiteFactory(code="elders")
    researcher = UserFactory()
    MembershipFactory(user=researcher, site=site, role="researcher")
    client.force_login(researcher)
    response = client.post(
        reverse("dashboards:export_list"),
        {
            "start": "2018-01-01",
            "end": "2020-09-15",
            "sites": [other.pk],
            "format": "xlsx",
        },
    )
    assert response.status_code == 200
    assert "sites" in response.context["form"].errors
    assert not ExportJob.objects.exists()


def test_build_exports_command_queues_jobs_left_queued_or_stalled():
    from django.core.management import call_command
    from django.utils import timezone

    from tests.factories import ExportJobFactory

    site, _stays = bijlage7_people()
    queued = ExportJobFactory(sites=[site], status=ExportStatus.QUEUED)
    stalled = ExportJobFactory(
        sites=[site],
        status=ExportStatus.RUNNING,
        started_at=timezone.now() - datetime.timedelta(days=1),
    )
    out = io.StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("build_exports", stdout=out)
    # put back on the queue; the task runs in-process in tests (KV_TASKS_SYNC)
    assert "2 export(s) put on the queue" in out.getvalue()
    for job in (queued, stalled):
        job.refresh_from_db()
        assert job.status == ExportStatus.DONE
        assert job.file
    assert AuditEvent.objects.filter(kind=AuditKind.EXPORT).count() == 2


def test_records_are_numbered_by_codes_that_link_sheets_but_not_database_ids(
    client,
):
    site, stays = bijlage7_people()
    _job, content = export(client, site)
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    stay_codes = column(workbook, "verblijven", "stay_code")
    assert len(set(stay_codes)) == len(stay_codes) == 9
    assert all(code.startswith("S") and len(code) == 13 for code in stay_codes)
    for sheet in ("personen_lang", "personen_breed", "werk", "partnerrollen"):
        assert set(column(workbook, sheet, "stay_code")) <= set(stay_codes), sheet
    assert not {str(stay.pk) for stay in stays} & set(stay_codes)
    goal_codes = set(column(workbook, "doelen", "goal_code"))
    assert all(code.startswith("G") for code in goal_codes)
    assert set(column(workbook, "activiteiten", "goal_code")) == goal_codes


def test_the_export_form_offers_every_format_the_writers_know(client):
    from dashboards.exports.writers import WRITERS
    from dashboards.models import ExportFormat

    assert set(ExportFormat.values) == set(WRITERS)
    site, _stays = bijlage7_people()
    researcher = UserFactory()
    MembershipFactory(user=researcher, site=site, role="researcher")
    client.force_login(researcher)
    body = client.get(reverse("dashboards:export_list")).content.decode()
    for value in WRITERS:
        assert f'value="{value}"' in body


@pytest.mark.parametrize("export_format", ExportFormat.values)
def test_every_format_is_downloaded_behind_the_second_factor_and_logged_per_site(
    client, settings, export_format
):
    """With the second factor required (production's rule), every format is
    built and downloaded once the code is given; the download is audited and
    in the read-access log of each site it covers; a researcher of another
    site gets nothing and leaves no trace."""
    from binascii import unhexlify

    from django_otp.oath import totp

    from core.models import ReadAccess
    from core.two_factor import two_factor_enrol

    settings.KV_TWO_FACTOR_EXEMPT_ROLES = []
    site, _stays = bijlage7_people()
    second = SiteFactory(code="tweede", name="KV Tweede")
    researcher = UserFactory()
    for covered in (site, second):
        MembershipFactory(user=researcher, site=covered, role="researcher")
    key = "ef" * 20
    two_factor_enrol(user=researcher, key=key)
    client.force_login(researcher)
    export_list = reverse("dashboards:export_list")
    assert "/verify" in client.get(export_list).url  # password alone: no exports

    verified = client.post(
        reverse("core:two_factor_verify"), {"code": f"{totp(unhexlify(key)):06d}"}
    )
    assert verified.status_code == 302
    data = {
        "start": "2018-01-01",
        "end": "2020-09-15",
        "sites": [site.pk, second.pk],
        "format": export_format,
    }
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(export_list, data).status_code == 302
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.DONE, job.error
    download_url = reverse("dashboards:export_download", args=[job.pk])
    assert client.get(job.get_absolute_url()).status_code == 200
    ReadAccess.objects.all().delete()

    response = client.get(download_url)
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    if export_format == "xlsx":
        assert load_workbook(io.BytesIO(content), read_only=True).sheetnames
    else:
        files = zipfile.ZipFile(io.BytesIO(content)).namelist()
        assert {"codebook", "personen_lang"} <= {f.rsplit(".")[0] for f in files}
        assert {f.rsplit(".")[1] for f in files} == {export_format}
    event = AuditEvent.objects.get(kind=AuditKind.DOWNLOAD)
    assert event.actor == researcher
    assert event.details["sites"] == sorted([site.pk, second.pk])
    reads = ReadAccess.objects.values_list("user", "site", "object_type", "object_id")
    assert sorted(reads) == sorted(
        (researcher.pk, covered.pk, "dashboards.exportjob", job.pk)
        for covered in (site, second)
    )

    stranger = UserFactory()
    MembershipFactory(user=stranger, site=SiteFactory(code="elders"), role="researcher")
    two_factor_enrol(user=stranger, key=key)
    client.force_login(stranger)
    unverified = client.get(download_url)
    assert unverified.status_code == 302
    assert "/verify" in unverified.url
    client.post(
        reverse("core:two_factor_verify"), {"code": f"{totp(unhexlify(key)):06d}"}
    )
    assert client.get(download_url).status_code == 404
    assert AuditEvent.objects.filter(kind=AuditKind.DOWNLOAD).count() == 1
    assert ReadAccess.objects.filter(user=stranger).count() == 0

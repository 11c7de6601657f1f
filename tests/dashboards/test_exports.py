"""The research export: workbook, codebook, pseudonymisation, formats, audit."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from core.models import AuditEvent, AuditKind
from dashboards.models import ExportJob, ExportStatus
from tests.dashboards.builders import bijlage7_people
from tests.factories import MembershipFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _export(client, site, **extra):
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
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.DONE, job.error
    download = client.get(reverse("dashboards:export_download", args=[job.pk]))
    assert download.status_code == 200
    return job, b"".join(download.streaming_content)


def test_workbook_has_a_codebook_entry_for_every_exported_column(client):
    site, _stays = bijlage7_people()
    job, content = _export(client, site)
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    assert workbook.sheetnames[0] == "codebook"
    codebook = list(workbook["codebook"].iter_rows(values_only=True))
    assert codebook[0][:3] == ("sheet", "variable", "label")
    documented = {(row[0], row[1]) for row in codebook[1:]}
    exported = set()
    for name in workbook.sheetnames[1:]:
        header = next(workbook[name].iter_rows(values_only=True))
        exported |= {(name, column) for column in header}
    assert exported == documented
    # the eight participants and the regular detainee, one row each
    stays_sheet = list(workbook["verblijven"].iter_rows(values_only=True))
    assert len(stays_sheet) == 1 + 9
    long_rows = list(workbook["personen_lang"].iter_rows(values_only=True))
    header = long_rows[0]
    network = header.index("kri_wd_ondersteunend_netwerk")
    assert sorted(row[network] for row in long_rows[1:]) == [0, 0, 1, 1, 1, 1, 1, 1]
    debts = header.index("kri_wd_aanpak_schulden")
    assert {row[debts] for row in long_rows[1:]} == {-94}
    assert "kri_wd_ondersteunend_netwerk_eind" in next(
        workbook["personen_breed"].iter_rows(values_only=True)
    )
    assert job.row_count > 9


def test_export_holds_no_names_birth_dates_or_dji_numbers(client):
    site, stays = bijlage7_people()
    _job, content = _export(client, site, date_shift="on")
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    cells = {
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    }
    for stay in stays:
        person = stay.person
        assert person.pseudonym in cells
        assert person.first_name not in cells
        assert person.last_name not in cells
        assert person.dji_number not in cells
        assert person.date_of_birth.isoformat() not in cells
        # dates are shifted: the real placement date does not appear
        assert stay.placed_on.isoformat() not in cells
    text = " ".join(cells)
    assert "lasser" not in text  # free text stays out


def test_every_export_is_logged_with_filters_and_row_count(client):
    site, _stays = bijlage7_people()
    job, _content = _export(client, site, moments=["eindmeting"])
    event = AuditEvent.objects.get(kind=AuditKind.EXPORT)
    assert event.actor.username == "rita"
    assert event.details["row_count"] == job.row_count
    assert event.details["filters"]["moments"] == ["eindmeting"]
    assert event.details["filters"]["site_ids"] == [site.pk]


def test_csv_and_spss_exports_carry_labels_and_missing_codes(client, tmp_path):
    import pyreadstat

    site, _stays = bijlage7_people()
    _job, content = _export(client, site, format="csv")
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert {"codebook.csv", "personen_lang.csv", "bijlage7.csv"} <= set(names)
    ExportJob.objects.all().delete()
    get_user_model().objects.filter(username="rita").delete()
    _job, content = _export(client, site, format="sav")
    archive = zipfile.ZipFile(io.BytesIO(content))
    path = archive.extract("personen_lang.sav", path=str(tmp_path))
    frame, meta = pyreadstat.read_sav(path, user_missing=True)
    assert meta.variable_value_labels["kri_wd_ondersteunend_netwerk"][1.0] == "ja"
    assert meta.missing_ranges["kri_wd_aanpak_schulden"] == [{"lo": -94.0, "hi": -91.0}]
    assert set(frame["kri_wd_aanpak_schulden"].dropna()) == {-94.0}


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
    import datetime

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


def test_stays_are_numbered_by_codes_that_link_sheets_but_not_database_ids(client):
    site, stays = bijlage7_people()
    _job, content = _export(client, site)
    workbook = load_workbook(io.BytesIO(content), read_only=True)

    def column(sheet, name):
        rows = list(workbook[sheet].iter_rows(values_only=True))
        index = rows[0].index(name)
        return [row[index] for row in rows[1:]]

    stay_codes = column("verblijven", "stay_code")
    assert len(set(stay_codes)) == len(stay_codes) == 9
    assert all(code.startswith("S") and len(code) == 13 for code in stay_codes)
    assert set(column("personen_lang", "stay_code")) <= set(stay_codes)
    assert set(column("personen_breed", "stay_code")) <= set(stay_codes)
    assert not {str(stay.pk) for stay in stays} & set(stay_codes)


def test_csv_export_holds_no_names_or_identifying_numbers(client):
    site, stays = bijlage7_people()
    _job, content = _export(client, site, format="csv")
    archive = zipfile.ZipFile(io.BytesIO(content))
    text = "".join(
        archive.read(name).decode("utf-8-sig") for name in archive.namelist()
    )
    for stay in stays:
        person = stay.person
        assert person.pseudonym in text
        for identifying in (person.last_name, person.dji_number):
            assert identifying not in text
        assert person.date_of_birth.isoformat() not in text

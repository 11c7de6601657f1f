from __future__ import annotations

import datetime
import re
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from core.models import AuditEvent, AuditKind, Person
from intake import importers
from intake.models import ImportBatch, ImportStatus, IntakeCase, IntakeOutcome
from intake.services import case_open
from tests.factories import PersonFactory

FILES = Path(__file__).parent / "files"


def _upload(client, almelo, process, name, content_type="text/csv", **extra):
    data = {
        "site": almelo.code,
        "kind": extra.pop("kind", "dji_list"),
        "entry_route": process.entry_routes.get(code="dji_list").pk,
        "list_date": "2020-04-01",
        "file": SimpleUploadedFile(name, (FILES / name).read_bytes(), content_type),
        **extra,
    }
    return client.post(reverse("intake:import_create"), data)


def test_list_with_five_bad_rows_reports_exactly_those_and_writes_nothing(
    client, casemanager_almelo, almelo, almelo_process
):
    client.force_login(casemanager_almelo)
    response = _upload(client, almelo, almelo_process, "dji_list_1000_bad.csv")

    assert response.status_code == 200
    check = response.context["check"]
    reported = {row.number: row.errors for row in check.bad_rows}
    assert sorted(reported) == [11, 202, 403, 604, 1001]
    assert reported[11] == [str(importers.ROW_REQUIRED % {"column": "last_name"})]
    assert reported[202] == [
        str(importers.ROW_BAD_DATE % {"column": "date_of_birth", "value": "31-02-1980"})
    ]
    assert reported[403] == [str(importers.ROW_BAD_GENDER % {"value": "Q"})]
    assert reported[604] == [str(importers.ROW_DUPLICATE_IN_FILE % {"row": 5})]
    assert reported[1001] == [str(importers.ROW_FUTURE_BIRTH)]
    body = response.content.decode()
    assert len(re.findall(r'<li data-row="\d+">', body)) == 5
    assert Person.objects.count() == 0
    assert IntakeCase.objects.count() == 0
    assert ImportBatch.objects.count() == 0


def test_corrected_list_is_previewed_then_imported_completely(
    client, casemanager_almelo, almelo, almelo_process
):
    known = PersonFactory(
        site=almelo,
        dji_number="2000000",
        first_name="Kees",
        last_name="Bekend",
        date_of_birth=datetime.date(1980, 1, 1),
    )
    client.force_login(casemanager_almelo)
    # row 2 of the file carries the known person's DJI number with other data:
    # that conflict is a bad row, so the file is refused as a whole
    response = _upload(client, almelo, almelo_process, "dji_list_1000.csv")
    assert [row.number for row in response.context["check"].bad_rows] == [2]
    known.delete()

    response = _upload(client, almelo, almelo_process, "dji_list_1000.csv")
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == batch.get_absolute_url()
    assert (batch.status, batch.uploaded_by) == (
        ImportStatus.PREVIEW,
        casemanager_almelo,
    )
    assert IntakeCase.objects.count() == 0

    preview = client.get(batch.get_absolute_url())
    assert len(preview.context["check"].rows) == 1000

    client.post(reverse("intake:import_apply", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportStatus.APPLIED
    assert (batch.people_created, batch.cases_opened) == (1000, 1000)
    assert IntakeCase.objects.filter(import_batch=batch, site=almelo).count() == 1000
    assert batch.file.read().startswith(b"dji_number,last_name")
    event = AuditEvent.objects.get(kind=AuditKind.IMPORT)
    assert event.details["cases_opened"] == 1000

    result = client.get(batch.get_absolute_url()).content.decode()
    assert "De 1000 intakedossiers die deze import opende" in result
    first = IntakeCase.objects.filter(import_batch=batch).order_by(
        "person__last_name", "person__first_name"
    )[0]
    assert f'href="{first.get_absolute_url()}"' in result
    assert result.count('<tr data-case="') == 100  # one page of the list

    again = client.post(reverse("intake:import_apply", args=[batch.pk]), follow=True)
    assert str(importers.ALREADY_APPLIED) in again.content.decode()
    assert IntakeCase.objects.count() == 1000


def test_import_matches_known_people_and_skips_open_cases(
    casemanager_almelo, almelo, almelo_process
):
    rows = (FILES / "dji_list_1000.csv").read_text().splitlines()[:4]
    first = rows[1].split(",")
    second = rows[2].split(",")
    known = PersonFactory(
        site=almelo,
        dji_number=first[0],
        last_name=first[1],
        first_name=first[2],
        date_of_birth=datetime.date.fromisoformat(first[3]),
    )
    busy = PersonFactory(
        site=almelo,
        dji_number="",
        last_name=second[1],
        first_name=second[2],
        date_of_birth=datetime.date.fromisoformat(second[3]),
    )
    case_open(
        site=almelo,
        person=busy,
        opened_on=datetime.date(2020, 3, 1),
        entry_route=None,
        created_by=None,
    )
    upload = SimpleUploadedFile("lijst.csv", "\n".join(rows).encode(), "text/csv")
    check = importers.import_check(
        handle=upload.file, name="lijst.csv", site=almelo, kind="dji_list"
    )
    assert check.ok
    assert [row.action for row in check.rows] == ["matched", "open_case", "new"]
    batch = importers.import_batch_create(
        upload=upload,
        site=almelo,
        kind="dji_list",
        entry_route=almelo_process.entry_routes.get(code="dji_list"),
        list_date=datetime.date(2020, 4, 1),
        uploaded_by=casemanager_almelo,
        check=check,
    )
    importers.import_batch_apply(batch=batch, actor=casemanager_almelo)
    assert Person.objects.filter(site=almelo).count() == 3
    assert known.intake_cases.get().outcome == IntakeOutcome.OPEN
    assert busy.intake_cases.count() == 1


def test_xlsx_call_up_list_carries_report_dates(
    client, casemanager_almelo, almelo, almelo_process
):
    client.force_login(casemanager_almelo)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    bad = _upload(
        client,
        almelo,
        almelo_process,
        "diz_call_up_missing_report_date.xlsx",
        xlsx,
        kind="diz_call_up",
    )
    assert [r.errors for r in bad.context["check"].bad_rows] == [
        [str(importers.ROW_REPORT_DATE_REQUIRED)]
    ] * 3
    _upload(
        client, almelo, almelo_process, "diz_call_up_20.xlsx", xlsx, kind="diz_call_up"
    )
    batch = ImportBatch.objects.get()
    importers.import_batch_apply(batch=batch, actor=casemanager_almelo)
    dates = set(IntakeCase.objects.values_list("report_date", flat=True))
    assert dates == {datetime.date(2021, 6, 1)}


@pytest.mark.parametrize(
    ("name", "content"),
    [("lijst.txt", b"a,b"), ("lijst.xlsx", b"not a zip"), ("lijst.csv", b"PK\x03\x04")],
)
def test_other_file_types_are_refused(
    client, casemanager_almelo, almelo, almelo_process, name, content
):
    client.force_login(casemanager_almelo)
    response = client.post(
        reverse("intake:import_create"),
        {
            "site": almelo.code,
            "kind": "dji_list",
            "entry_route": almelo_process.entry_routes.get(code="dji_list").pk,
            "list_date": "2020-04-01",
            "file": SimpleUploadedFile(name, content),
        },
    )
    assert response.context["form"].errors["file"] == [str(importers.FILE_WRONG_TYPE)]
    assert ImportBatch.objects.count() == 0


def test_files_over_the_upload_limit_are_refused(
    client, settings, casemanager_almelo, almelo, almelo_process
):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000
    client.force_login(casemanager_almelo)
    response = _upload(client, almelo, almelo_process, "dji_list_1000.csv")
    assert response.context["form"].errors["file"] == [
        str(importers.FILE_TOO_LARGE % {"limit": 0.0})
    ]


def test_template_downloads_have_the_import_columns(client, casemanager_almelo):
    client.force_login(casemanager_almelo)
    url = reverse("intake:import_template")
    xlsx = client.get(url, {"kind": "diz_call_up", "format": "xlsx"})
    sheet = load_workbook(BytesIO(xlsx.content)).active
    assert [cell.value for cell in sheet[1]] == importers.COLUMNS
    csv_response = client.get(url, {"kind": "dji_list", "format": "csv"})
    assert csv_response.content.decode().splitlines()[0] == ",".join(importers.COLUMNS)
    assert "attachment" in csv_response["Content-Disposition"]


def test_known_name_and_birth_date_with_another_dji_number_is_a_bad_row(
    casemanager_almelo, almelo, almelo_process
):
    PersonFactory(
        site=almelo,
        dji_number="7777777",
        first_name="Jan",
        last_name="Bekend",
        date_of_birth=datetime.date(1980, 1, 1),
    )
    content = (
        b"dji_number;last_name;first_name;date_of_birth;gender\n"
        b"1234567;Bekend;Jan;01-01-1980;M\n"
    )
    check = importers.import_check(
        handle=BytesIO(content), name="lijst.csv", site=almelo, kind="dji_list"
    )
    assert [row.errors for row in check.rows] == [
        [str(importers.ROW_OTHER_DJI % {"dji": "7777777"})]
    ]


def test_retention_purges_kept_files_but_keeps_the_record(
    client,
    casemanager_almelo,
    almelo,
    almelo_process,
    django_capture_on_commit_callbacks,
):
    from django.utils import timezone

    client.force_login(casemanager_almelo)
    _upload(client, almelo, almelo_process, "diz_call_up_20.xlsx", kind="diz_call_up")
    batch = ImportBatch.objects.get()
    path = Path(batch.file.path)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        purged = importers.import_files_purge(
            uploaded_before=timezone.now() + datetime.timedelta(seconds=1)
        )
    batch.refresh_from_db()
    assert (purged, bool(batch.file), path.exists()) == (1, False, False)
    assert client.get(batch.get_absolute_url()).status_code == 200
    response = client.post(reverse("intake:import_apply", args=[batch.pk]))
    assert response.status_code == 302
    assert IntakeCase.objects.count() == 0

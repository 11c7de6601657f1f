from __future__ import annotations

import datetime
import io
import re
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from core.dates import DATE_IN_FUTURE, day_text
from core.models import (
    BIRTH_DATE_IMPLAUSIBLE,
    GENDER_IMPORT_CODES,
    AuditEvent,
    AuditKind,
    Gender,
    Person,
)
from core.services import person_create
from intake import import_checks, importers
from intake.models import ImportBatch, ImportStatus, IntakeCase, IntakeOutcome
from intake.services import case_open
from intake.services import imports as import_services
from tests.factories import (
    CriteriaVersionFactory,
    PersonFactory,
    SiteStatusPeriodFactory,
)

FILES = Path(__file__).parent / "files"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = "dji_number,last_name,first_name,date_of_birth,gender"


@pytest.fixture
def site(almelo, almelo_process):
    """Almelo open since 2019 with an intake process and criteria."""
    CriteriaVersionFactory(site=almelo, version=1, valid_from=datetime.date(2019, 1, 1))
    return almelo


_run_tasks = None


@pytest.fixture(autouse=True)
def _tasks_run_when_the_request_commits(django_capture_on_commit_callbacks):
    """The queued check or import runs when the request's transaction
    commits, as a worker would take it then (KV_TASKS_SYNC in the tests)."""
    global _run_tasks
    _run_tasks = django_capture_on_commit_callbacks
    yield
    _run_tasks = None


def _request(client, method: str, url: str, data=None, **kwargs):
    with _run_tasks(execute=True):
        return getattr(client, method)(url, data or {}, **kwargs)


def _confirm(client, batch, **kwargs):
    return _request(
        client, "post", reverse("intake:import_apply", args=[batch.pk]), **kwargs
    )


def _post(client, site, process, name, content, content_type="text/csv", **extra):
    data = {
        "site": site.code,
        "kind": extra.pop("kind", "dji_list"),
        "entry_route": process.entry_routes.get(code="dji_list").pk,
        "list_date": extra.pop("list_date", "2020-04-01"),
        "file": SimpleUploadedFile(name, content, content_type),
        **extra,
    }
    return _request(client, "post", reverse("intake:import_create"), data)


def _upload(client, site, process, name, content_type="text/csv", **extra):
    return _post(
        client, site, process, name, (FILES / name).read_bytes(), content_type, **extra
    )


def _check(site, content: bytes | str, name="lijst.csv", **extra):
    if isinstance(content, str):
        content = content.encode()
    return import_checks.import_check(
        handle=BytesIO(content),
        name=name,
        site=site,
        kind=extra.pop("kind", "dji_list"),
        list_date=extra.pop("list_date", datetime.date(2020, 4, 1)),
        **extra,
    )


def _errors(check) -> dict[int, list[str]]:
    return {row.number: row.errors for row in check.bad_rows}


def test_list_with_five_bad_rows_is_refused_with_exactly_those_rows(
    client, casemanager_almelo, site, almelo_process
):
    client.force_login(casemanager_almelo)
    response = _upload(client, site, almelo_process, "dji_list_1000_bad.csv")

    batch = ImportBatch.objects.get()
    assert response["Location"] == batch.get_absolute_url()
    assert (batch.status, batch.error_count) == (ImportStatus.REFUSED, 5)
    page = client.get(batch.get_absolute_url())
    reported = {row.number: row.errors for row in page.context["check"].bad_rows}
    assert sorted(reported) == [11, 202, 403, 604, 1001]
    assert reported[11] == [str(importers.ROW_REQUIRED % {"column": "last_name"})]
    assert reported[202] == [
        str(importers.ROW_BAD_DATE % {"column": "date_of_birth", "value": "31-02-1980"})
    ]
    codes = ", ".join(GENDER_IMPORT_CODES[value] for value in Gender.values)
    assert reported[403] == [
        str(importers.ROW_BAD_GENDER % {"value": "Q", "codes": codes})
    ]
    assert reported[604] == [str(importers.ROW_DUPLICATE_IN_FILE % {"row": 5})]
    future = str(DATE_IN_FUTURE % {"today": day_text(timezone.localdate())})
    assert reported[1001] == [
        str(importers.ROW_FIELD % {"column": "date_of_birth", "message": future})
    ]
    body = page.content.decode()
    assert len(re.findall(r'<li data-row="\d+">', body)) == 5
    assert "import-apply-form" not in body
    assert Person.objects.count() == 0
    assert IntakeCase.objects.count() == 0


def test_corrected_list_is_checked_once_then_imported_completely(
    client, casemanager_almelo, site, almelo_process
):
    known = PersonFactory(
        site=site,
        dji_number="2000000",
        first_name="Kees",
        last_name="Bekend",
        date_of_birth=datetime.date(1980, 1, 1),
    )
    client.force_login(casemanager_almelo)
    # row 2 of the file carries the known person's DJI number with other data
    _upload(client, site, almelo_process, "dji_list_1000.csv")
    refused = ImportBatch.objects.get()
    assert [row.number for row in import_checks.stored_check(refused).bad_rows] == [2]
    known.delete()

    response = _upload(client, site, almelo_process, "dji_list_1000.csv")
    batch = ImportBatch.objects.exclude(pk=refused.pk).get()
    assert response["Location"] == batch.get_absolute_url()
    assert (batch.status, batch.uploaded_by, batch.row_count) == (
        ImportStatus.PREVIEW,
        casemanager_almelo,
        1000,
    )
    assert IntakeCase.objects.count() == 0

    # The preview only reads the stored result: it works without the file,
    # in a handful of queries, one page of rows at a time.
    stored_file = batch.file.name
    ImportBatch.objects.filter(pk=batch.pk).update(file="")
    with CaptureQueriesContext(connection) as queries:
        preview = client.get(batch.get_absolute_url(), {"page": "3"})
    assert len(queries.captured_queries) <= 8
    assert len(preview.context["check"].rows) == 1000
    assert len(preview.context["page"].object_list) == 100
    assert preview.context["counts"] == {"new": 1000, "matched": 0, "open_case": 0}
    assert 'id="import-apply-form"' in preview.content.decode()
    ImportBatch.objects.filter(pk=batch.pk).update(file=stored_file)

    _confirm(client, batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.APPLIED
    assert (batch.people_created, batch.cases_opened) == (1000, 1000)
    assert batch.applied_by == casemanager_almelo
    assert IntakeCase.objects.filter(import_batch=batch, site=site).count() == 1000
    assert batch.file.read().startswith(b"dji_number,last_name")
    event = AuditEvent.objects.get(kind=AuditKind.IMPORT)
    assert event.details["cases_opened"] == 1000
    # every person registered has the history row a form save gives
    imported = Person.objects.values("pk")
    assert Person.history.filter(history_type="+", id__in=imported).count() == 1000

    result = client.get(batch.get_absolute_url()).content.decode()
    assert "De 1000 intakedossiers die deze import opende" in result
    first = IntakeCase.objects.filter(import_batch=batch).order_by(
        "person__last_name", "person__first_name"
    )[0]
    assert f'href="{first.get_absolute_url()}"' in result
    assert result.count('<tr data-case="') == 100  # one page of the list

    again = _confirm(client, batch, follow=True)
    assert str(importers.ALREADY_APPLIED) in again.content.decode()
    assert IntakeCase.objects.count() == 1000


def _csv(rows: int, start: int = 0) -> bytes:
    lines = [HEADER] + [
        f"{3000000 + n},Achternaam {n},Voornaam,{1960 + n % 40}-0{1 + n % 9}-1{n % 9},V"
        for n in range(start, start + rows)
    ]
    return "\n".join(lines).encode()


def test_checking_costs_the_same_queries_for_10_and_1000_rows(site):
    PersonFactory.create_batch(5, site=site)

    def queries(rows: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            check = _check(site, _csv(rows))
        assert check.ok, check.bad_rows[:1] or check.file_errors
        return len(captured.captured_queries)

    assert queries(10) == queries(1000)


def test_applying_uses_bulk_inserts(site, casemanager_almelo):
    batch = _batch(site, casemanager_almelo, _csv(1000))
    with CaptureQueriesContext(connection) as captured:
        import_services.import_batch_apply(batch, actor=casemanager_almelo)
    assert Person.objects.filter(site=site).count() == 1000
    # bulk inserts (SQLite takes some 75 rows per INSERT): not one per row
    assert len(captured.captured_queries) < 150


def _batch(site, user, content: bytes, name="lijst.csv", **extra) -> ImportBatch:
    batch = import_services.import_batch_create(
        upload=SimpleUploadedFile(name, content),
        site=site,
        kind=extra.pop("kind", "dji_list"),
        entry_route=site.intake_processes.get().entry_routes.get(code="dji_list"),
        list_date=extra.pop("list_date", datetime.date(2020, 4, 1)),
        uploaded_by=user,
    )
    import_services.import_batch_check(batch)
    batch.refresh_from_db()
    return batch


def test_import_matches_known_people_and_skips_open_cases(
    casemanager_almelo, site, almelo_process
):
    rows = (FILES / "dji_list_1000.csv").read_text().splitlines()[:4]
    first = rows[1].split(",")
    second = rows[2].split(",")
    known = PersonFactory(
        site=site,
        dji_number=first[0],
        last_name=first[1],
        first_name=first[2],
        date_of_birth=datetime.date.fromisoformat(first[3]),
    )
    busy = PersonFactory(
        site=site,
        dji_number="",
        last_name=second[1],
        first_name=second[2],
        date_of_birth=datetime.date.fromisoformat(second[3]),
    )
    case_open(
        site=site,
        person=busy,
        opened_on=datetime.date(2020, 3, 1),
        entry_route=None,
        created_by=None,
    )
    batch = _batch(site, casemanager_almelo, "\n".join(rows).encode())
    check = import_checks.stored_check(batch)
    assert check.ok
    assert [row.action for row in check.rows] == ["matched", "open_case", "new"]
    import_services.import_batch_apply(batch, actor=casemanager_almelo)
    assert Person.objects.filter(site=site).count() == 3
    assert known.intake_cases.get().outcome == IntakeOutcome.OPEN
    assert busy.intake_cases.count() == 1


def test_an_apply_names_the_rows_that_changed_since_the_check_and_writes_nothing(
    casemanager_almelo, site
):
    batch = _batch(site, casemanager_almelo, _csv(20))
    # someone registers the person of row 6 while the list awaits confirmation
    person_create(
        site=site,
        first_name="Voornaam",
        last_name="Achternaam 4",
        date_of_birth=datetime.date(1964, 5, 14),
        gender="female",
        dji_number="3000004",
    )
    with pytest.raises(ValidationError) as caught:
        import_services.import_batch_apply(batch, actor=casemanager_almelo)
    message = " ".join(caught.value.messages)
    assert " 6 (" in message
    assert " 7 (" not in message
    assert Person.objects.filter(site=site).count() == 1
    assert IntakeCase.objects.count() == 0
    batch.refresh_from_db()
    # the renewed preview shows the current state: confirm again
    assert batch.status == ImportStatus.PREVIEW
    assert [r.action for r in import_checks.stored_check(batch).rows][4] == "matched"
    assert batch.apply_error
    import_services.import_batch_apply(batch, actor=casemanager_almelo)
    assert Person.objects.filter(site=site).count() == 20
    assert IntakeCase.objects.count() == 20


def test_xlsx_call_up_list_carries_report_dates(
    client, casemanager_almelo, site, almelo_process
):
    client.force_login(casemanager_almelo)
    _upload(
        client,
        site,
        almelo_process,
        "diz_call_up_missing_report_date.xlsx",
        XLSX,
        kind="diz_call_up",
    )
    bad = ImportBatch.objects.get()
    assert [r.errors for r in import_checks.stored_check(bad).bad_rows] == [
        [str(importers.ROW_REPORT_DATE_REQUIRED)]
    ] * 3
    _upload(
        client, site, almelo_process, "diz_call_up_20.xlsx", XLSX, kind="diz_call_up"
    )
    batch = ImportBatch.objects.exclude(pk=bad.pk).get()
    import_services.import_batch_apply(batch, actor=casemanager_almelo)
    dates = set(IntakeCase.objects.values_list("report_date", flat=True))
    assert dates == {datetime.date(2021, 6, 1)}


def test_every_rule_of_the_apply_is_checked_with_row_number_and_reason(site):
    this_year = timezone.localdate().year
    content = "\n".join(
        [
            "dji_number;last_name;first_name;date_of_birth;gender",
            "ABC;Cijfer;Jan;1-1-1980;M",
            "1234567;Oud;Jan;1-1-1900;M",
            f"2345678;Jong;Jan;1-1-{this_year + 1};M",
            f"3456789;{'L' * 300};Jan;1-1-1980;M",
            "4567890;Goed;Jan;1-1-1980;Q",
        ]
    )
    check = _check(site, content)
    errors = _errors(check)
    assert sorted(errors) == [2, 3, 4, 5, 6]
    assert errors[2][0].startswith("dji_number: ")
    assert errors[3] == [
        str(
            importers.ROW_FIELD
            % {
                "column": "date_of_birth",
                "message": BIRTH_DATE_IMPLAUSIBLE % {"min": 12, "max": 100},
            }
        )
    ]
    assert errors[4][0].startswith("date_of_birth: ")
    assert errors[5][0].startswith("last_name: ")
    assert errors[6][0].startswith("gender Q ")


def test_the_site_must_take_candidates_on_the_list_date_and_report_dates(site, almelo):
    closed = datetime.date(2022, 1, 1)
    period = almelo.status_periods.get()
    period.end = closed - datetime.timedelta(days=1)
    period.save()
    SiteStatusPeriodFactory(site=almelo, status="closed", start=closed)
    content = HEADER + ",report_date\n1234567,Laat,Jan,1-1-1980,M,15-02-2022\n"
    check = _check(site, content, kind="diz_call_up")
    assert check.file_errors == []
    assert "15-02-2022" in _errors(check)[2][0]
    late = _check(site, content, kind="diz_call_up", list_date=closed)
    assert late.file_errors[0].startswith(str(almelo.name))


def test_a_list_date_without_criteria_or_process_is_refused_as_a_whole(site):
    check = _check(site, _csv(3), list_date=datetime.date(2018, 6, 1))
    assert len(check.file_errors) == 3  # status, process, criteria


def test_windows_1252_and_utf8_with_or_without_bom_and_utf16_are_read(site):
    text = (
        "dji_number;last_name;first_name;date_of_birth;gender\n"
        "1234567;Renée;Zoë;1-1-1980;V\n"
    )
    for encoded in (
        text.encode("cp1252"),
        text.encode("latin-1"),
        text.encode("utf-8"),
        b"\xef\xbb\xbf" + text.encode("utf-8"),
        text.encode("utf-16"),
    ):
        check = _check(site, encoded)
        assert check.ok, (encoded[:20], check.file_errors, _errors(check))
        assert (
            check.rows[0].values["last_name"],
            check.rows[0].values["first_name"],
        ) == (
            "Renée",
            "Zoë",
        )


@pytest.mark.parametrize(
    "written",
    [
        "29221",
        "29221.0",
        "1-1-1980",
        "01-01-1980",
        "1/1/1980",
        "01.01.1980",
        "1980-01-01",
        "1980-01-01 00:00:00",
        "1-jan-1980",
        "1 januari 1980",
        "1-jan-80",
        "1-1-80",
    ],
)
def test_dates_as_dutch_excel_writes_them_are_read(site, written):
    check = _check(site, f"{HEADER}\n1234567,Datum,Jan,{written},M\n")
    assert check.ok, _errors(check)
    assert check.rows[0].values["date_of_birth"] == datetime.date(1980, 1, 1)


def _xlsx(rows: list[list], extra_xml: str = "") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    if not extra_xml:
        return buffer.getvalue()
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                text = text.replace("</sheetData>", extra_xml + "</sheetData>")
                text = re.sub(r"<dimension [^>]*>", "", text)
                data = text.encode()
            target.writestr(item, data)
    return out.getvalue()


def test_an_excel_date_number_in_a_cell_is_a_date(site):
    content = _xlsx(
        [HEADER.split(","), ["1234567", "Getal", "Jan", 29221, "M"]],
    )
    check = _check(site, content, name="lijst.xlsx")
    assert check.ok, _errors(check)
    assert check.rows[0].values["date_of_birth"] == datetime.date(1980, 1, 1)


def test_trailing_empty_rows_are_not_rows(site):
    empty = "".join(f'<row r="{n}"><c r="A{n}"/></row>' for n in range(4, 200_004))
    content = _xlsx(
        [HEADER.split(","), ["1234567", "Een", "Jan", "1-1-1980", "M"], []],
        extra_xml=empty,
    )
    check = _check(site, content, name="lijst.xlsx")
    assert check.ok
    assert [row.number for row in check.rows] == [2]


def test_a_workbook_of_empty_rows_is_refused_as_empty(site):
    empty = "".join(f'<row r="{n}"/>' for n in range(2, 300_002))
    check = _check(site, _xlsx([HEADER.split(",")], extra_xml=empty), name="l.xlsx")
    assert check.file_errors == [str(importers.FILE_EMPTY)]


def test_rows_and_cells_are_limited_while_reading(site, settings):
    settings.IMPORT_MAX_ROWS = 50
    check = _check(site, _csv(51))
    assert check.file_errors == [str(importers.FILE_TOO_MANY_ROWS % {"limit": 50})]
    assert _check(site, _csv(50)).ok
    settings.IMPORT_MAX_CELLS = 100
    rows = [HEADER.split(",")] + [
        ["1234567", "Naam", "Jan", "1-1-1980", "M"] for _ in range(30)
    ]
    check = _check(site, _xlsx(rows), name="lijst.xlsx")
    assert check.file_errors == [
        str(importers.FILE_TOO_MANY_CELLS % {"limit": 100, "rows": 50})
    ]


def test_a_workbook_too_large_unpacked_is_refused_before_reading(site, settings):
    settings.IMPORT_MAX_UNPACKED_BYTES = 2000
    check = _check(site, _xlsx([HEADER.split(",")] * 100), name="lijst.xlsx")
    assert check.file_errors[0].startswith(str(importers.FILE_UNPACKED_TOO_LARGE)[:20])


def test_data_after_a_long_run_of_empty_rows_is_refused_not_lost(site, settings):
    settings.IMPORT_MAX_EMPTY_ROWS = 5
    content = (
        HEADER
        + "\n1234567,Een,Jan,1-1-1980,M\n"
        + "\n" * 10
        + ("2345678,Twee,Piet,1-1-1980,M\n")
    )
    check = _check(site, content)
    assert check.file_errors == [str(importers.FILE_EMPTY_GAP % {"row": 3, "limit": 5})]


@pytest.mark.parametrize(
    ("name", "content"),
    [("lijst.txt", b"a,b"), ("lijst.xlsx", b"not a zip"), ("lijst.csv", b"PK\x03\x04")],
)
def test_other_file_types_are_refused(
    client, casemanager_almelo, site, almelo_process, name, content
):
    client.force_login(casemanager_almelo)
    response = _post(client, site, almelo_process, name, content)
    assert response.context["form"].errors["file"] == [str(importers.FILE_WRONG_TYPE)]
    assert ImportBatch.objects.count() == 0


def test_files_over_the_upload_limit_are_refused(
    client, settings, casemanager_almelo, site, almelo_process
):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000
    client.force_login(casemanager_almelo)
    response = _upload(client, site, almelo_process, "dji_list_1000.csv")
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


def test_the_import_takes_exactly_the_gender_choices_of_the_person_form(
    client, casemanager_almelo, site
):
    from core.forms import PersonForm
    from core.models import Site

    form = PersonForm(sites=Site.objects.all())
    offered = {value for value, _label in form.fields["gender"].choices if value}
    accepted = set(importers._gender_inputs().values())
    assert accepted == offered
    assert set(GENDER_IMPORT_CODES) == offered
    client.force_login(casemanager_almelo)
    page = client.get(reverse("intake:import_create")).content.decode()
    assert importers.gender_codes_text() in page
    for value, label in Gender.choices:
        row = f"{HEADER}\n1234567,Naam,Jan,1-1-1980,{GENDER_IMPORT_CODES[value]}\n"
        assert _check(site, row).rows[0].values["gender"] == value
        row = f"{HEADER}\n1234567,Naam,Jan,1-1-1980,{label}\n"
        assert _check(site, row).rows[0].values["gender"] == value


def test_known_name_and_birth_date_with_another_dji_number_is_a_bad_row(site):
    PersonFactory(
        site=site,
        dji_number="7777777",
        first_name="Jan",
        last_name="Bekend",
        date_of_birth=datetime.date(1980, 1, 1),
    )
    content = (
        b"dji_number;last_name;first_name;date_of_birth;gender\n"
        b"1234567;Bekend;Jan;01-01-1980;M\n"
    )
    check = _check(site, content)
    assert [row.errors for row in check.rows] == [
        [str(importers.ROW_OTHER_DJI % {"dji": "7777777"})]
    ]


def test_retention_purges_kept_files_and_stored_rows_but_keeps_the_record(
    client,
    casemanager_almelo,
    site,
    almelo_process,
    django_capture_on_commit_callbacks,
):
    client.force_login(casemanager_almelo)
    _upload(client, site, almelo_process, "diz_call_up_20.xlsx", kind="diz_call_up")
    batch = ImportBatch.objects.get()
    path = Path(batch.file.path)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        purged = import_services.import_files_purge(
            uploaded_before=timezone.now() + datetime.timedelta(seconds=1)
        )
    batch.refresh_from_db()
    assert (purged, bool(batch.file), path.exists()) == (1, False, False)
    assert batch.check_result == {}
    assert client.get(batch.get_absolute_url()).status_code == 200
    response = _confirm(client, batch)
    assert response.status_code == 302
    assert IntakeCase.objects.count() == 0


def test_the_import_page_shows_rows_done_of_total_while_it_runs(
    client, casemanager_almelo, site
):
    from core.jobs import JobState
    from intake.tasks import import_batch_run

    # uploaded, the check queued for a worker (not run: nothing committed)
    batch = import_services.import_batch_create(
        upload=SimpleUploadedFile("lijst.csv", _csv(1200)),
        site=site,
        kind="dji_list",
        entry_route=site.intake_processes.get().entry_routes.get(code="dji_list"),
        list_date=datetime.date(2020, 4, 1),
        uploaded_by=casemanager_almelo,
    )
    assert (batch.status, batch.job_state) == (
        ImportStatus.CHECKING,
        JobState.QUEUED,
    )
    ImportBatch.objects.filter(pk=batch.pk).update(
        job_state=JobState.RUNNING, progress_done=500, progress_total=1200
    )
    client.force_login(casemanager_almelo)
    page = client.get(batch.get_absolute_url()).content.decode()
    assert '<progress max="1200" value="500">' in page
    assert 'http-equiv="refresh"' in page
    reported = []
    import_services.import_batch_check(
        batch, progress=lambda *done: reported.append(done)
    )
    assert {total for _done, total in reported} == {1200}
    assert reported[-1] == (1200, 1200)

    # the worker's task: a queued check claimed, run and finished once
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.CHECKING, job_state=JobState.QUEUED
    )
    assert import_batch_run(job_pk=batch.pk) == "done"
    batch.refresh_from_db()
    assert (batch.status, batch.job_state) == (ImportStatus.PREVIEW, JobState.DONE)
    page = client.get(batch.get_absolute_url()).content.decode()
    assert 'http-equiv="refresh"' not in page
    assert 'id="import-apply-form"' in page


def test_a_failed_check_shows_its_reason_and_can_be_tried_again(
    client, casemanager_almelo, site, settings
):
    from core.jobs import JobState

    settings.KV_QUEUE_MAX_ATTEMPTS = 1
    batch = _batch(site, casemanager_almelo, _csv(5))
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.CHECKING,
        job_state=JobState.FAILED,
        error="OSError: disk full",
    )
    client.force_login(casemanager_almelo)
    page = client.get(batch.get_absolute_url()).content.decode()
    assert "OSError: disk full" in page
    retry = reverse("intake:import_retry", args=[batch.pk])
    assert f'action="{retry}"' in page
    _request(client, "post", retry)
    batch.refresh_from_db()
    assert (batch.status, batch.job_state) == (ImportStatus.PREVIEW, JobState.DONE)
    event = AuditEvent.objects.get(kind=AuditKind.IMPORT, details__retry=True)
    assert event.details["previous_error"] == "OSError: disk full"


def test_a_list_date_in_the_future_is_refused_on_the_form(
    client, casemanager_almelo, site, almelo_process
):
    client.force_login(casemanager_almelo)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = _upload(
        client, site, almelo_process, "dji_list_1000.csv", list_date=str(tomorrow)
    )
    assert response.status_code == 200
    future = str(DATE_IN_FUTURE % {"today": day_text(timezone.localdate())})
    assert response.context["form"].errors["list_date"] == [future]
    assert ImportBatch.objects.count() == 0

"""Time list imports at scale: check and apply, row and cell limits, memory.

Run against PostgreSQL (production) or SQLite::

    DATABASE_URL=postgres://... .venv/bin/python -m bench.import_lists --migrate

Each measurement runs in a child process of its own, so its peak resident
memory (``ru_maxrss``) is its own; the growth is the peak minus the memory of
the same child just before it starts (Django and the reference data
loaded). Targets (issue 10): a 10,000-row DJI list checked and applied in
under 5 s in total; 50,000 rows refused or handled within the row limit
without growing by more than 200 MB; a 144 KB workbook with a million empty
rows refused in well under a second.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kvmonitor.settings_test")
# queued tasks run in this process at once, as a worker would run them
os.environ["KV_TASKS_SYNC"] = "True"

HEADER = [
    "dji_number",
    "last_name",
    "first_name",
    "date_of_birth",
    "gender",
    "municipality_of_origin",
]
FIRST_NAMES = ["Jan", "Piet", "Kees", "Ahmed", "Renée", "Mohamed", "Bas", "Dennis"]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def list_rows(rows: int, start: int = 0) -> list[list[Any]]:
    """A DJI list of ``rows`` fictitious people (dates as Dutch Excel writes them)."""
    out = []
    for n in range(start, start + rows):
        born = datetime.date(1960, 1, 1) + datetime.timedelta(days=(n * 37) % 14000)
        out.append(
            [
                str(10_000_000 + n),
                f"Bench-Achternaam {n}",
                FIRST_NAMES[n % len(FIRST_NAMES)],
                f"{born.day}-{born.month}-{born.year}",
                "MVX"[n % 3],
                "Almelo",
            ]
        )
    return out


def list_csv(rows: int, start: int = 0) -> bytes:
    lines = [";".join(HEADER)] + [";".join(r) for r in list_rows(rows, start)]
    return "\r\n".join(lines).encode("cp1252")


def list_xlsx(rows: int, start: int = 0) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("lijst")
    sheet.append(HEADER)
    for row in list_rows(rows, start):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def empty_rows_xlsx(rows: int) -> bytes:
    """A workbook holding a header and ``rows`` empty rows (the file of the issue)."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(HEADER)
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                empty = "".join(f'<row r="{n}"/>' for n in range(2, rows + 2))
                text = text.replace("</sheetData>", empty + "</sheetData>")
                text = re.sub(
                    r"<dimension [^>]*>", f'<dimension ref="A1:F{rows + 1}"/>', text
                )
                data = text.encode()
            target.writestr(item, data)
    return out.getvalue()


def setup_site(*, clean: bool = True) -> tuple[Any, Any, Any]:
    """Almelo from the reference data, and a casemanager; with ``clean``, the
    imports of earlier runs removed (in a process of its own, so the memory
    that takes is not in the measurement)."""
    from django.contrib.auth import get_user_model

    from core.models import Membership, Site
    from core.reference import sites_load
    from intake.reference import intake_processes_load

    if not Site.objects.filter(code="almelo").exists():
        sites_load()
        intake_processes_load()
    site = Site.objects.get(code="almelo")
    if clean:
        _clean(site)
    user, _created = get_user_model().objects.get_or_create(username="bench-import")
    Membership.objects.get_or_create(user=user, site=site, role="casemanager")
    route = (
        site.intake_processes.order_by("-valid_from")
        .first()
        .entry_routes.get(importable=True, code__contains="dji")
    )
    return site, user, route


def _clean(site: Any) -> None:
    from core.models import Person
    from intake.models import ImportBatch, IntakeCase

    IntakeCase.objects.filter(site=site, import_batch__isnull=False).delete()
    ImportBatch.objects.filter(site=site).delete()
    Person.history.filter(site_id=site.pk, last_name__startswith="Bench-").delete()
    Person.objects.filter(site=site, last_name__startswith="Bench-").delete()


SPECS = {
    "check-apply-10k-csv": (10_000, list_csv, "lijst.csv"),
    "check-apply-10k-xlsx": (10_000, list_xlsx, "lijst.xlsx"),
    "refuse-50k-csv": (50_000, list_csv, "lijst.csv"),
    "refuse-50k-xlsx": (50_000, list_xlsx, "lijst.xlsx"),
    "empty-1m-xlsx": (1_000_000, empty_rows_xlsx, "leeg.xlsx"),
}


def run_one(target: str, path: str) -> dict[str, Any]:
    """One measurement, in this (child) process, of the file at ``path``."""
    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from intake import import_checks
    from intake.models import ImportStatus
    from intake.services import imports as import_services

    site, user, route = setup_site(clean=False)
    list_date = datetime.date(2021, 3, 1)
    rows, _make, name = SPECS[target]
    with open(path, "rb") as handle:
        content = handle.read()
    baseline = _rss_mb()
    cpu = time.process_time()
    result: dict[str, Any] = {
        "target": target,
        "database": connection.vendor,
        "rows": rows,
        "file_kb": round(len(content) / 1024),
    }
    # The check and the import run as the worker runs them: the task of the
    # queue (KV_TASKS_SYNC runs it in this process as soon as it is queued).
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as checked:
        batch = import_services.import_batch_create(
            upload=SimpleUploadedFile(name, content),
            site=site,
            kind="dji_list",
            entry_route=route,
            list_date=list_date,
            uploaded_by=user,
        )
    result["check_s"] = round(time.perf_counter() - started, 2)
    result["check_cpu_s"] = round(time.process_time() - cpu, 2)
    result["check_queries"] = len(checked.captured_queries)
    batch.refresh_from_db()
    check = import_checks.stored_check(batch)
    result["outcome"] = (
        check.file_errors[0][:90]
        if check.file_errors
        else f"{len(check.rows)} rows, {len(check.bad_rows)} bad"
    )
    if batch.status == ImportStatus.PREVIEW:
        started, cpu = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as applied:
            import_services.import_batch_confirm(batch, actor=user)
        result["apply_s"] = round(time.perf_counter() - started, 2)
        result["apply_cpu_s"] = round(time.process_time() - cpu, 2)
        result["apply_queries"] = len(applied.captured_queries)
        batch.refresh_from_db()
        assert batch.status == ImportStatus.APPLIED, batch.apply_error or batch.error
        result["cases_opened"] = batch.cases_opened
        result["total_s"] = round(result["check_s"] + result["apply_s"], 2)
    result["rss_growth_mb"] = round(_rss_mb() - baseline, 1)
    result["peak_rss_mb"] = round(_rss_mb(), 1)
    return result


TARGETS = list(SPECS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--migrate", action="store_true")
    parser.add_argument("--one", choices=TARGETS, help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--clean", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--only", nargs="*", choices=TARGETS, default=TARGETS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.file)))
        return
    if args.clean:
        django.setup()
        setup_site(clean=True)
        return
    if args.migrate:
        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    results = []
    for target in args.only:
        rows, make, name = SPECS[target]
        with tempfile.NamedTemporaryFile(suffix=name) as handle:
            handle.write(make(rows))
            handle.flush()
            subprocess.run(
                [sys.executable, "-m", "bench.import_lists", "--clean"],
                check=True,
            )
            child = subprocess.run(  # noqa: S603 - this script, fixed arguments
                [
                    sys.executable,
                    "-m",
                    "bench.import_lists",
                    "--one",
                    target,
                    "--file",
                    handle.name,
                ],
                capture_output=True,
                text=True,
                check=False,
            )
        if child.returncode:
            raise SystemExit(child.stderr[-3000:])
        results.append(json.loads(child.stdout.strip().splitlines()[-1]))
        print(json.dumps(results[-1]))
    print()
    print(
        "| target | file | check | apply | total | queries (check/apply) "
        "| RSS growth | outcome |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['target']} | {r['file_kb']} KB | {r['check_s']} s | "
            f"{r.get('apply_s', '-')} s | {r.get('total_s', '-')} s | "
            f"{r['check_queries']}/{r.get('apply_queries', '-')} | "
            f"{r['rss_growth_mb']} MB | {r['outcome']} |"
        )


if __name__ == "__main__":
    main()

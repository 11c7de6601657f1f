"""Time the dashboards, case lists, funnel and the full export on a bench data set.

Run ``bench.generate`` first into the same database, then::

    DATABASE_URL=... .venv/bin/python -m bench.run --repeat 7

For every target it prints the median and spread (min-max) of the server
time over ``--repeat`` runs, the median CPU time of this process (SQLite
work included, PostgreSQL's own work not), the number of queries and the peak Python
memory of one run (tracemalloc). The export is timed in a child process, to
measure its peak resident memory, next to the baseline: openpyxl's
write-only mode writing the same cells from memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kvmonitor.settings_test")

PERIOD = {"start": "2025-01-01", "end": "2025-12-31"}


def _measure(label: str, action: Callable[[], Any], repeat: int) -> dict[str, Any]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    action()  # warm caches (templates, translations, connection)
    times, cpu = [], []
    for _run in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        action()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    with CaptureQueriesContext(connection) as captured:
        action()
    queries = len(captured)  # read before the log is cleared
    reset_queries()
    tracemalloc.start()
    action()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "target": label,
        "median_ms": round(statistics.median(times), 1),
        "min_ms": round(min(times), 1),
        "max_ms": round(max(times), 1),
        "cpu_ms": round(statistics.median(cpu), 1),
        "queries": queries,
        "peak_mb": round(peak / 2**20, 1),
    }


def _get(client: Any, url: str, params: dict[str, str]) -> Callable[[], Any]:
    def action() -> None:
        response = client.get(url, params)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")

    return action


def _materialised(on: bool, action: Callable[[], Any]) -> Callable[[], Any]:
    """``action`` with the overview served from its stored figures (``on``:
    as in production, where the worker keeps them current; the warm-up call
    of ``_measure`` stores them, as a first reader would) or computed by the
    request (what the worker spends per refresh, and what the first reader of
    a new period or set of sites waits)."""
    from django.conf import settings

    def run() -> None:
        settings.KV_OVERVIEW_MATERIALISED = on
        action()

    return run


def web_targets(repeat: int) -> list[dict[str, Any]]:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from core.models import Membership, Site
    from core.periods import Period
    from core.scoping import Role
    from dashboards.scope import Scope
    from dashboards.selectors.intake import funnel, site_funnel
    from intake.selectors import funnel_for_site

    settings.ALLOWED_HOSTS = ["testserver"]
    client = Client()
    client.force_login(get_user_model().objects.get(username="bench-pl"))
    site = Site.objects.filter(code__startswith="bench-").order_by("code").first()
    # a project leader of five sites, the usual size of a regional overview
    few = Client()
    few_user, _created = get_user_model().objects.get_or_create(username="bench-pl5")
    for one in Site.objects.filter(code__startswith="bench-").order_by("code")[:5]:
        Membership.objects.get_or_create(
            user=few_user, site=one, role=Role.PROJECT_LEADER
        )
    few.force_login(few_user)
    site_ids = tuple(
        Site.objects.filter(code__startswith="bench-").values_list("pk", flat=True)
    )
    period = Period.default()
    period = Period(
        period.start.replace(year=2025, month=1, day=1),
        period.end.replace(year=2025, month=12, day=31),
    )
    site_cases = reverse("dashboards:site_cases", args=[site.code])
    results = [
        _measure(
            "site dashboard",
            _get(
                client, reverse("dashboards:site_dashboard", args=[site.code]), PERIOD
            ),
            repeat,
        ),
        _measure(
            "programme overview (5 sites, stored)",
            _materialised(True, _get(few, reverse("dashboards:overview"), PERIOD)),
            repeat,
        ),
        _measure(
            f"programme overview ({len(site_ids)} sites, stored)",
            _materialised(True, _get(client, reverse("dashboards:overview"), PERIOD)),
            repeat,
        ),
        _measure(
            "  computed (5 sites; first reader, worker)",
            _materialised(False, _get(few, reverse("dashboards:overview"), PERIOD)),
            repeat,
        ),
        _measure(
            f"  computed ({len(site_ids)} sites; first reader, worker)",
            _materialised(False, _get(client, reverse("dashboards:overview"), PERIOD)),
            repeat,
        ),
        _measure(
            "site case list (outflow)",
            _get(client, site_cases, {**PERIOD, "metric": "outflow"}),
            repeat,
        ),
        _measure(
            "programme case list (inflow)",
            _get(
                client,
                reverse("dashboards:programme_cases"),
                {**PERIOD, "metric": "inflow_participants"},
            ),
            repeat,
        ),
        _measure(
            "funnel, one site (dashboard)",
            lambda: site_funnel(Scope((site.pk,), period)),
            repeat,
        ),
        _measure(
            "funnel, one site (intake app's page)",
            lambda: funnel_for_site(site=site, start=period.start, end=period.end),
            repeat,
        ),
        _measure(
            f"funnel, programme ({len(site_ids)} sites)",
            lambda: funnel(Scope(site_ids, period)),
            repeat,
        ),
    ]
    return results


def export_child(mode: str, path: str) -> None:
    """Run in a child process: the full export, or the in-memory baseline."""
    import datetime

    from openpyxl import Workbook

    from core.models import Site
    from core.periods import Period
    from dashboards.exports.datasets import (
        ExportAbout,
        ExportFilters,
        about_sheet,
        build_sheets,
        codebook_sheet,
        value_labels_sheet,
    )
    from dashboards.exports.services import write_export
    from dashboards.exports.writers import XlsxExportWriter

    filters = ExportFilters(
        site_ids=tuple(
            Site.objects.filter(code__startswith="bench-").values_list("pk", flat=True)
        ),
        period=Period(datetime.date(2019, 1, 1), datetime.date(2026, 12, 31)),
    )
    started = time.perf_counter()
    if mode == "export":
        rows = write_export(filters, XlsxExportWriter(Path(path)))
        cells = None
    else:
        # the same cells, read into memory first (not timed), then written
        data = build_sheets(filters)
        meta = [
            about_sheet(filters, ExportAbout(), data),
            codebook_sheet(data),
            value_labels_sheet(data),
        ]
        sheets = [(s.name, s.columns, list(s.rows)) for s in [*meta, *data]]
        started = time.perf_counter()
        workbook = Workbook(write_only=True)
        rows = cells = 0
        for name, columns, values in sheets:
            sheet = workbook.create_sheet(name[:31])
            sheet.append([c.name for c in columns])
            for row in values:
                sheet.append(row)
                if name not in ("over_dit_bestand", "codebook", "waardelabels"):
                    rows += 1
                cells += len(row)
        workbook.save(path)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "mode": mode,
                "seconds": round(elapsed, 2),
                "rows": rows,
                "cells": cells,
                "peak_rss_mb": round(peak, 1),
                "size_mb": round(os.path.getsize(path) / 2**20, 1),
            }
        )
    )


def export_targets() -> list[dict[str, Any]]:
    found = []
    for mode in ("export", "baseline"):
        with tempfile.TemporaryDirectory() as folder:
            target = str(Path(folder) / "export.xlsx")
            output = subprocess.run(  # noqa: S603 - our own module, fixed arguments
                [sys.executable, "-m", "bench.run", "--child", mode, target],
                check=True,
                capture_output=True,
                text=True,
                env=os.environ.copy(),
            )
            found.append(json.loads(output.stdout.strip().splitlines()[-1]))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"))
    parser.add_argument("--no-export", action="store_true")
    parser.add_argument("--no-web", action="store_true")
    args = parser.parse_args()
    django.setup()
    if args.child:
        export_child(*args.child)
        return
    from django.db import connection

    print(f"database: {connection.vendor}")
    if not args.no_web:
        web_report(args.repeat)
    if args.no_export:
        return
    export_report()


def web_report(repeat: int) -> None:
    print(
        f"{'target':<46} {'median':>8} {'min':>8} {'max':>8} {'cpu':>8} "
        f"{'queries':>7} {'peak':>7}"
    )
    rows = web_targets(repeat)
    for row in rows:
        print(
            f"{row['target']:<46} {row['median_ms']:>6.1f}ms {row['min_ms']:>6.1f}ms "
            f"{row['max_ms']:>6.1f}ms {row['cpu_ms']:>6.1f}ms {row['queries']:>7} "
            f"{row['peak_mb']:>5.1f}MB"
        )
    overview_ratios(rows)


def overview_ratios(rows: list[dict[str, Any]]) -> None:
    """Each programme overview against the site dashboard of the same run
    (the target: at most 2x), so a busy machine does not hide a regression."""
    site = next(row for row in rows if row["target"] == "site dashboard")
    for row in rows:
        if row["target"].startswith("programme overview"):
            ratio = row["median_ms"] / site["median_ms"]
            print(f"{row['target']} / site dashboard: {ratio:.2f}x (target <= 2x)")
    for row in rows:
        if row["target"].startswith("  computed"):
            ratio = row["median_ms"] / site["median_ms"]
            print(
                f"overview {row['target'].strip()} / site dashboard: {ratio:.2f}x "
                "(what the worker spends per refresh and a new period's first "
                "reader waits)"
            )


def export_report() -> None:
    export, baseline = export_targets()
    print(
        f"export time: {export['seconds']} s (full xlsx export, XlsxWriter "
        f"constant memory, database to file), {export['rows']:,} rows, "
        f"peak RSS {export['peak_rss_mb']} MB, {export['size_mb']} MB file"
    )
    print(
        f"baseline time: {baseline['seconds']} s (openpyxl write-only, the same "
        f"{baseline['cells']:,} cells from memory), "
        f"peak RSS {baseline['peak_rss_mb']} MB"
    )
    print(
        "ratio export / baseline: "
        f"time {export['seconds'] / baseline['seconds']:.2f}x, "
        f"memory {export['peak_rss_mb'] / baseline['peak_rss_mb']:.2f}x "
        "(targets: time <= 1.00x, export peak RSS < 300 MB)"
    )


if __name__ == "__main__":
    main()

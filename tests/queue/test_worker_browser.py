"""A researcher requests an export in the browser; a real worker builds it;
the page follows it by itself and the file downloads."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from dashboards.models import ExportJob, ExportStatus
from tests.browser.test_login_scoping import log_in
from tests.dashboards.builders import bijlage7_people
from tests.factories import user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_export_requested_in_the_browser_is_built_by_the_worker_and_downloads(
    live_server, page, start_worker
):
    site, _stays = bijlage7_people()
    user_with_role("researcher", site, username="rita")
    worker = start_worker()
    log_in(page, live_server, "rita")
    page.goto(f"{live_server.url}/dashboards/exports/")
    page.fill("#id_start", "2018-01-01")
    page.fill("#id_end", "2020-09-15")
    page.select_option("#id_format", "xlsx")
    page.click("#export-form button[type=submit]")
    page.wait_for_url("**/dashboards/exports/*/")
    # the status page refreshes itself (no script) until the file is ready
    download_link = page.locator("#download")
    try:
        expect(download_link).to_be_visible(timeout=180_000)
    except AssertionError as error:
        raise AssertionError(worker.output()) from error
    assert page.locator("#job-state").inner_text() == "gereed"
    with page.expect_download() as info:
        download_link.click()
    content = Path(info.value.path()).read_bytes()
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    assert workbook.sheetnames[:2] == ["over_dit_bestand", "codebook"]
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.DONE
    assert info.value.suggested_filename == job.file.name.rsplit("/", 1)[-1]

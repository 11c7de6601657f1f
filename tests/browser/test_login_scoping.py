from __future__ import annotations

import pytest

from tests.factories import TEST_PASSWORD, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_casemanager_sees_only_own_site_people(
    live_server, page, casemanager_almelo, almelo, krimpen
):
    PersonFactory(site=almelo, first_name="Jan", last_name="Twentenaar")
    PersonFactory(site=krimpen, first_name="Piet", last_name="Compagnon")

    log_in(page, live_server, "alice")
    page.get_by_role("link", name="Personen").first.click()

    table = page.locator("table")
    assert "Twentenaar" in table.inner_text()
    assert "Compagnon" not in page.content()

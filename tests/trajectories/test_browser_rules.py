"""Issue 14 tried again in a browser as a new casemanager would: a job against
Middelburg's 24-hour rule, a person who is already placed, and Krimpen's list
import."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.scoping import Role
from intake.reference import intake_processes_load
from tests.browser.test_login_scoping import log_in
from tests.factories import PersonFactory, StayFactory, user_with_role
from trajectories.models import Employment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _submit(page) -> None:
    with page.expect_navigation():
        page.click("#object-form button[type=submit]")


def test_a_20_hour_job_in_middelburg_asks_for_a_reason_and_is_listed(
    live_server, page, reference
):
    site = reference["middelburg"]
    user_with_role(Role.CASEMANAGER, site, username="cm-middelburg")
    stay = StayFactory(
        site=site,
        person=PersonFactory(site=site, last_name="Zelfmelder"),
        place_type=site.place_types.get(),
        placed_on=timezone.localdate() - datetime.timedelta(days=10),
    )
    log_in(page, live_server, "cm-middelburg")
    page.goto(f"{live_server.url}{stay.get_absolute_url()}")
    with page.expect_navigation():
        page.click(
            f"a[href='{reverse('trajectories:employment_create', args=[stay.pk])}']"
        )
    page.fill("#object-form input[name=employer_name]", "Demo-Kwekerij")
    page.fill("#object-form input[name=job_title]", "tuinder")
    page.fill("#object-form input[name=hours_per_week]", "20")
    page.check("#object-form input[name=pay_kind][value=paid]")
    page.fill("#object-form input[name=started_on]", "2020-01-06")
    page.select_option("#object-form select[name=origin]", "kept")
    page.check("#object-form input[name=verifiable_with_employer]")
    page.check("#object-form input[name=within_travel_distance]")
    _submit(page)
    refusal = page.locator("#object-form .errornote").inner_text()
    assert "24" in refusal
    assert "20" in refusal
    assert not Employment.objects.exists()
    # what was typed is still there; confirm with a reason
    assert page.input_value("#object-form input[name=hours_per_week]") == "20"
    page.check("#object-form input[name=confirm_rule_breach]")
    page.fill("#object-form textarea[name=rule_breach_reason]", "uren worden opgebouwd")
    _submit(page)
    assert "Baan geregistreerd." not in page.content()
    assert (
        "werkafspraken"
        in page.locator(".messages, [role=status], main").first.inner_text()
    )
    assert Employment.objects.get().rule_breach_reason == "uren worden opgebouwd"
    page.goto(f"{live_server.url}{reverse('trajectories:worklist')}")
    row = page.locator("#work-rule-breaches tbody tr").first.inner_text()
    assert "Zelfmelder" in row
    assert "uren worden opgebouwd" in row


def test_krimpen_shows_no_second_placement_and_explains_its_intake(
    live_server, page, reference
):
    intake_processes_load()
    site = reference["krimpen"]
    user_with_role(Role.CASEMANAGER, site, username="cm-krimpen")
    stay = StayFactory(
        site=site,
        person=PersonFactory(site=site, last_name="Compagnon"),
        place_type=site.place_types.get(code="gesloten"),
        placed_on=datetime.date(2020, 6, 1),
    )
    log_in(page, live_server, "cm-krimpen")
    page.goto(f"{live_server.url}{stay.person.get_absolute_url()}")
    assert page.locator("#person-stays").count() == 1
    assert page.locator("#stay-create-link").count() == 0
    page.goto(f"{live_server.url}{reverse('intake:import_create')}")
    assert page.locator("#import-form").count() == 0
    sentence = page.locator('#sites-without-lists li[data-site="krimpen"]').inner_text()
    assert "Doorstroom uit De Compagnie I" in sentence
    assert "intakedossier" in sentence

"""A researcher enters a nulmeting in the browser, partly, then completes it."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from core.scoping import Role
from evaluation.models import Answer, Measurement, MeasurementStatus
from evaluation.services import schedule_sync_for_stay
from tests.browser.test_login_scoping import log_in
from tests.factories import (
    PersonFactory,
    SiteFactory,
    StayFactory,
    catalogue_from_data,
    user_with_role,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_researcher_enters_a_nulmeting(page, live_server):
    site = SiteFactory(code="almelo", name="KV Almelo")
    catalogue_from_data(site)
    person = PersonFactory(site=site, date_of_birth=datetime.date(1990, 5, 5))
    stay = StayFactory(site=site, person=person, placed_on=timezone.localdate())
    schedule_sync_for_stay(stay=stay)
    nulmeting = Measurement.objects.get(stay=stay, moment="nulmeting")
    user_with_role(Role.RESEARCHER, site, username="rita")
    prefix = f"t{site.pk}"

    log_in(page, live_server, "rita")
    page.goto(f"{live_server.url}/evaluation/sites/almelo/schedule/")
    page.click(f"#list-due tr[data-measurement='{nulmeting.pk}'] a")
    page.wait_for_url(f"**/evaluation/measurements/{nulmeting.pk}/")
    assert page.inner_text(f"#item-{prefix}_geboortejaar .derived-value") == "1990"
    page.fill(f"textarea[name=v_{prefix}_type_delict]", "inbraak")
    page.select_option(f"select[name=m_{prefix}_nederlands]", "unknown")
    page.click("#save")
    page.wait_for_selector("#measurement-status[data-status=in_progress]")
    assert page.input_value(f"textarea[name=v_{prefix}_type_delict]") == "inbraak"

    page.select_option(f"select[name=v_{prefix}_woonsituatie]", "positief")
    page.click("#complete")
    page.wait_for_selector("#measurement-status[data-status=complete]")
    assert page.locator("#reopen-link").is_visible()

    nulmeting.refresh_from_db()
    assert nulmeting.status == MeasurementStatus.COMPLETE
    stored = {
        a.item.var: (a.value, a.missing_reason)
        for a in Answer.objects.filter(measurement=nulmeting).select_related("item")
    }
    assert stored[f"{prefix}_type_delict"] == ("inbraak", "")
    assert stored[f"{prefix}_nederlands"] == (None, "unknown")
    assert stored[f"{prefix}_woonsituatie"] == ("positief", "")
    assert stored[f"{prefix}_geboortejaar"] == (1990, "")


def test_follow_up_questions_appear_only_after_a_yes(page, live_server):
    from tests.dashboards.builders import krimpen_catalogue

    site = SiteFactory(code="krimpen", name="KV Krimpen")
    krimpen_catalogue(site)
    stay = StayFactory(site=site, placed_on=timezone.localdate())
    schedule_sync_for_stay(stay=stay)
    nulmeting = Measurement.objects.get(stay=stay, moment="nulmeting")
    user_with_role(Role.RESEARCHER, site, username="rita")

    log_in(page, live_server, "rita")
    page.goto(f"{live_server.url}/evaluation/measurements/{nulmeting.pk}/")
    follow_up = page.locator("#item-kri_dg_aantal_eerdere_delicten")
    assert follow_up.is_visible()  # not known yet: asked
    page.select_option("select[name=v_kri_dg_eerder_delict]", "no")
    assert follow_up.is_hidden()
    page.select_option("select[name=v_kri_dg_eerder_delict]", "yes")
    assert follow_up.is_visible()
    # the label names the unit; the number field knows its range
    assert "maanden" in page.inner_text("label[for=id_v_kri_dg_strafrestant]")
    assert page.get_attribute("#id_v_kri_dg_strafrestant", "max") == "120"

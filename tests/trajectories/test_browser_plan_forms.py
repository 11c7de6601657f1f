"""Each site's plan form in a browser: the fields the site's definition shows,
the ones it requires, and a plan saved after filling them in."""

from __future__ import annotations

import pytest

from core.scoping import Role
from tests.browser.test_login_scoping import log_in
from tests.factories import PersonFactory, StayFactory, user_with_role
from trajectories.models import CONFIGURABLE_PLAN_FIELDS, IndividualPlan
from trajectories.services import PLAN_FIELD_REQUIRED

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SITES = ["almelo", "amsterdam", "krimpen", "middelburg", "rotterdam"]


def _fill(page, name: str) -> None:
    field = page.locator(f"#field-{name}")
    if field.locator("input[type=radio]").count():
        field.locator("input[type=radio][value=True]").check()
    elif field.locator("select").count():
        field.locator("select").select_option(index=1)
    elif field.locator("input[type=date]").count():
        field.locator("input[type=date]").fill("2021-03-01")
    elif field.locator("textarea").count():
        field.locator("textarea").fill(f"Ingevuld voor {name}")
    else:
        field.locator("input").fill(f"Ingevuld voor {name}")


@pytest.mark.parametrize("site_code", SITES)
def test_each_site_plan_form_shows_and_requires_its_own_fields(
    live_server, page, reference, site_code
):
    site = reference[site_code]
    definition = site.plan_form
    specs = definition.field_specs()
    user_with_role(Role.CASEMANAGER, site, username=f"cm-{site_code}")
    person = PersonFactory(site=site, last_name=f"Plantest{site_code}")
    stay = StayFactory(site=site, person=person, place_type=site.place_types.first())

    log_in(page, live_server, f"cm-{site_code}")
    page.goto(f"{live_server.url}/trajectories/stays/{stay.pk}/plan/")
    assert definition.plan_name in page.locator("#plan-definition").inner_text()

    shown = {spec["name"] for spec in specs}
    for name in CONFIGURABLE_PLAN_FIELDS:
        assert (page.locator(f"#field-{name}").count() == 1) == (name in shown), name
    required = {spec["name"] for spec in specs if spec.get("required")}
    for name in shown:
        classes = page.locator(f"#field-{name}").get_attribute("class")
        assert ("required" in classes.split()) == (name in required), name

    # Saving with only the date keeps it and flags every required field.
    page.fill("#id_drawn_up_on", "2021-02-20")
    page.fill("#id_notes", "Eerste versie")
    page.click("#save")
    page.wait_for_load_state()
    for name in required:
        errors = page.locator(f"#field-{name} .field-errors")
        assert errors.count() == 1, name
        expected = str(PLAN_FIELD_REQUIRED) % {
            "site": site.name,
            "plan": definition.plan_name,
        }
        assert errors.inner_text().strip() == expected
    assert page.input_value("#id_drawn_up_on") == "2021-02-20"
    assert page.input_value("#id_notes") == "Eerste versie"
    assert not IndividualPlan.objects.filter(stay=stay).exists()

    for name in required:
        _fill(page, name)
    page.click("#save")
    page.wait_for_url(f"{live_server.url}/trajectories/plans/*/")
    plan = IndividualPlan.objects.get(stay=stay)
    assert plan.name == definition.plan_name
    assert plan.notes == "Eerste versie"
    for name in required:
        assert getattr(plan, name) not in (None, ""), name
    assert definition.plan_name.lower() in page.locator("h1").inner_text().lower()

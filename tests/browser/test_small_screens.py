"""A casemanager's, project leader's and researcher's pages on a phone (390 px)
and a tablet (768 px): nothing makes the page scroll sideways.

The pages carry real reference data (Almelo's intake process and criteria
checklist, the longest case page) and the objects of tests/world.py.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from core.models import Person, Site
from core.scoping import Role
from intake import services as intake_services
from tests.factories import TEST_PASSWORD, PersonFactory, SiteFactory, user_with_role
from tests.world import build_world
from trajectories.models import PlanFormDefinition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [390, 768]


@pytest.fixture
def pages(db):
    """For each role, the pages it works with on the floor."""
    call_command("load_reference", stdout=io.StringIO())
    almelo = Site.objects.get(code="almelo")
    own = SiteFactory(code="eigen", name="KV Eigen met een lange naam voor de test")
    world = build_world(own, "Langenaam")
    PlanFormDefinition.objects.filter(site=own).update(
        signatories=["de gedetineerde", "de casemanager", "de groepswerker"]
    )
    process = intake_services.process_on(site=almelo, day=datetime.date(2021, 6, 1))
    almelo_case = intake_services.case_open(
        site=almelo,
        person=PersonFactory(site=almelo, last_name="van Achternaam-Dubbelnaam"),
        opened_on=datetime.date(2021, 6, 1),
        entry_route=process.entry_routes.order_by("order").first(),
        created_by=None,
    )
    user_with_role(Role.CASEMANAGER, own, almelo, username="cm")
    user_with_role(Role.PROJECT_LEADER, own, almelo, username="pl")
    user_with_role(Role.RESEARCHER, own, almelo, username="rs")
    person, case, stay = world["person_pk"], world["case_pk"], world["stay_pk"]
    return {
        "cm": [
            reverse("core:home"),
            reverse("intake:worklist"),
            reverse("intake:case_list"),
            reverse("trajectories:worklist"),
            reverse("core:person_list"),
            reverse("core:person_detail", args=[person]),
            reverse("intake:case_detail", args=[case]),
            reverse("intake:case_detail", args=[almelo_case.pk]),
            reverse("trajectories:stay_detail", args=[stay]),
            reverse("trajectories:plan_detail", args=[world["plan_pk"]]),
            reverse("trajectories:plan_print", args=[world["plan_pk"]]),
            reverse("trajectories:person_timeline", args=[person]),
        ],
        "pl": [
            reverse("core:home"),
            reverse("dashboards:overview"),
            reverse("dashboards:site_dashboard", args=["eigen"]),
            reverse("intake:funnel", args=["almelo"]),
        ],
        "rs": [
            reverse("evaluation:measurement_edit", args=[world["measurement_pk"]]),
            reverse("evaluation:schedule", args=["eigen"]),
            reverse("dashboards:site_dashboard", args=["eigen"]),
        ],
    }


def _log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


@pytest.mark.parametrize("width", WIDTHS)
def test_pages_fit_the_screen_without_sideways_scrolling(
    browser, live_server, pages, width
):
    too_wide = []
    for username, urls in pages.items():
        context = browser.new_context(viewport={"width": width, "height": 844})
        page = context.new_page()
        _log_in(page, live_server, username)
        for url in urls:
            response = page.goto(f"{live_server.url}{url}")
            assert response.status == 200, url
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                too_wide.append((username, url, scroll_width))
        context.close()
    assert too_wide == []


def test_the_plan_prints_without_navigation_and_buttons(browser, live_server, pages):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    _log_in(page, live_server, "cm")
    plan_url = next(url for url in pages["cm"] if url.endswith("/print/"))
    page.goto(f"{live_server.url}{plan_url.removesuffix('print/')}")
    with page.expect_navigation():
        page.click("#plan-print")
    page.emulate_media(media="print")
    assert page.locator("#plan-document").is_visible()
    assert page.locator("#doc-signatures").is_visible()
    for chrome in ("header.topbar", "footer.footer", "#print-button", "#pdf-link"):
        assert not page.locator(chrome).is_visible(), chrome
    page.emulate_media(media="screen")
    assert page.locator("#print-button").is_visible()
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_header_search_finds_a_person_by_either_name_order_or_dji_number(
    browser, live_server, pages, width
):
    person = Person.objects.get(last_name="van Achternaam-Dubbelnaam")
    context = browser.new_context(viewport={"width": width, "height": 844})
    page = context.new_page()
    _log_in(page, live_server, "cm")
    for text in (
        f"{person.first_name} van Achternaam",
        f"van Achternaam-Dubbelnaam, {person.first_name}",
        person.dji_number,
    ):
        page.fill("#header-q", text)
        with page.expect_navigation():
            page.press("#header-q", "Enter")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        with page.expect_navigation():
            page.click(f'#search-people tr[data-person="{person.pk}"] a')
        assert page.url.endswith(person.get_absolute_url())
    context.close()

"""The completeness grid of a site with years of tussenmetingen scrolls inside
its own box; the page itself does not scroll sideways."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from core.scoping import Role
from evaluation.services import schedule_sync_for_stay
from tests.browser.test_login_scoping import log_in
from tests.factories import (
    SiteFactory,
    StayFactory,
    catalogue_from_data,
    user_with_role,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_completeness_grid_scrolls_in_its_box_and_keeps_the_pseudonym(
    page, live_server
):
    site = SiteFactory(code="almelo", name="KV Almelo")
    catalogue_from_data(site)
    today = timezone.localdate()
    for years in (6, 5, 4):
        stay = StayFactory(
            site=site, placed_on=today - datetime.timedelta(days=365 * years)
        )
        # registered at placement, then the daily sync as time went by
        day = stay.placed_on
        while day <= today:
            schedule_sync_for_stay(stay=stay, today=day)
            day += datetime.timedelta(days=30)
    user_with_role(Role.PROJECT_LEADER, site, username="paula")
    page.set_viewport_size({"width": 1366, "height": 900})

    log_in(page, live_server, "paula")
    page.goto(f"{live_server.url}/evaluation/sites/almelo/completeness/")

    columns = page.locator("#completeness-grid thead th").count()
    assert columns > 20
    widths = page.evaluate(
        """() => {
            const box = document.querySelector('#completeness-grid-scroll');
            return {
                page: document.documentElement.scrollWidth,
                viewport: window.innerWidth,
                box: box.clientWidth,
                grid: box.scrollWidth,
            };
        }"""
    )
    assert widths["page"] <= widths["viewport"]
    assert widths["grid"] > widths["box"]

    first = page.locator("#completeness-grid tbody th.pseudonym").first
    left_before = first.bounding_box()["x"]
    page.evaluate(
        "() => { document.querySelector('#completeness-grid-scroll')"
        ".scrollLeft = 800; }"
    )
    assert (
        page.evaluate(
            "() => document.querySelector('#completeness-grid-scroll').scrollLeft"
        )
        > 0
    )
    assert first.bounding_box()["x"] == pytest.approx(left_before, abs=1)

"""The programme overview served from stored figures the worker recomputes.

A project leader must see exactly what computing the overview gives, of
their own sites, period and language only, never older than the stale
limit, with every figure opening a case list of as many lines, and the page
must say when the figures were computed. What is stored holds no personal
data and cannot run code when read; the worker's work is bounded.
"""

from __future__ import annotations

import datetime
import pickle
import re

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.periods import Period
from dashboards import materialised
from dashboards.materialised import (
    figure_row_refresh,
    figures_dump,
    figures_load,
    figures_refresh_due,
)
from dashboards.models import MaterialisedFigures
from dashboards.overview import overview_figures
from dashboards.scope import Scope
from tests.dashboards.builders import intake_round, site_with_three_stays
from tests.dashboards.one_number import (
    assert_every_figure_opens_as_many_lines,
    measured,
    two_stays_of_one_person,
)
from tests.factories import PersonFactory, user_with_role
from trajectories.models import Stay

pytestmark = pytest.mark.django_db

QUARTER = {"start": "2024-01-01", "end": "2024-03-31"}
FEBRUARY = {"start": "2024-02-01", "end": "2024-02-29"}
AGE = re.compile(r'<p class="muted" id="figures-age">.*?</p>', re.S)
#: what differs between any two responses: the CSRF token and the CSP nonce
PER_RESPONSE = re.compile(r'(name="csrfmiddlewaretoken" value|nonce)="[^"]*"')


@pytest.fixture
def on(settings):
    settings.KV_OVERVIEW_MATERIALISED = True
    settings.KV_OVERVIEW_REFRESH_SECONDS = 300
    settings.KV_OVERVIEW_STALE_SECONDS = 900
    settings.KV_OVERVIEW_KEEP_DAYS = 2
    return settings


@pytest.fixture
def world():
    site, stays = site_with_three_stays("almelo")
    intake_round(site, count=2)
    two_stays_of_one_person(site, stays[0].place_type)
    measured(stays)
    other, _stays = site_with_three_stays("middelburg")
    return site, other, user_with_role("project_leader", site, other)


def _overview(client, period=QUARTER):
    return client.get(reverse("dashboards:overview"), period)


def _page(response) -> str:
    """The page without what differs between two responses anyway."""
    return PER_RESPONSE.sub("", AGE.sub("", response.content.decode()))


def _computed_page(client, settings, period=QUARTER) -> str:
    settings.KV_OVERVIEW_MATERIALISED = False
    try:
        return _page(_overview(client, period))
    finally:
        settings.KV_OVERVIEW_MATERIALISED = True


def _inflow(response) -> int:
    return sum(summary.inflow for _site, summary in response.context["sites"])


def _place_one_more(site) -> Stay:
    earlier = Stay.objects.filter(site=site).first()
    return Stay.objects.create(
        site=site,
        person=PersonFactory(site=site),
        place_type=earlier.place_type,
        placed_on=datetime.date(2024, 2, 15),
        participant=True,
    )


def _age_rows(seconds: int) -> None:
    MaterialisedFigures.objects.update(
        computed_at=timezone.now() - datetime.timedelta(seconds=seconds)
    )


def test_served_figures_are_exactly_what_computing_gives_and_say_when(
    client, on, world
):
    _site, _other, leader = world
    client.force_login(leader)
    computed = _computed_page(client, on)
    first = _overview(client)
    with CaptureQueriesContext(connection) as reading:
        served = _overview(client)
    assert MaterialisedFigures.objects.count() == 1
    assert _page(served) == _page(first) == computed
    assert 'id="figures-age"' in served.content.decode()
    assert served.context["computed_at"] == first.context["computed_at"]
    on.KV_OVERVIEW_MATERIALISED = False
    computing = _overview(client)
    assert "figures-age" not in computing.content.decode()
    with CaptureQueriesContext(connection) as computing_queries:
        _overview(client)
    assert len(reading) < len(computing_queries) - 20


def test_every_served_figure_opens_a_case_list_of_that_many_lines(client, on, world):
    site, other, leader = world
    client.force_login(leader)
    _overview(client)
    served = _overview(client)
    assert served.context["computed_at"] is not None
    opened = assert_every_figure_opens_as_many_lines(
        client, served.content.decode(), (site.pk, other.pk)
    )
    assert {"inflow_participants", "outflow", "stage_kind"} <= opened


def test_reading_costs_the_same_queries_for_one_site_or_many(client, on):
    few, _stays = site_with_three_stays("almelo")
    many = [few] + [site_with_three_stays(f"site{n}")[0] for n in range(3)]
    counts = []
    for sites in ([few], many):
        client.force_login(user_with_role("project_leader", *sites))
        _overview(client)
        with CaptureQueriesContext(connection) as reading:
            _overview(client)
        counts.append(len(reading))
    assert counts[0] == counts[1]


def test_each_period_is_served_its_own_figures(client, on, world):
    _site, _other, leader = world
    client.force_login(leader)
    for period in (QUARTER, FEBRUARY, QUARTER, FEBRUARY):
        assert _page(_overview(client, period)) == _computed_page(client, on, period)
    assert MaterialisedFigures.objects.count() == 2


def test_a_change_shows_once_the_worker_recomputes_and_the_page_says_until_then(
    client, on, world
):
    site, _other, leader = world
    client.force_login(leader)
    before = _inflow(_overview(client))
    _place_one_more(site)
    still = _overview(client)
    assert _inflow(still) == before
    assert "figures-age" in still.content.decode()
    # not due yet: the worker leaves a fresh row alone
    assert figures_refresh_due() == 0
    _age_rows(301)
    assert figures_refresh_due() == 1
    after = _overview(client)
    assert _inflow(after) == before + 1
    assert _page(after) == _computed_page(client, on)


def test_figures_past_the_stale_limit_are_never_shown(client, on, world):
    """With the worker stopped, the request computes rather than show old figures."""
    site, _other, leader = world
    client.force_login(leader)
    before = _inflow(_overview(client))
    _place_one_more(site)
    _age_rows(901)
    response = _overview(client)
    assert _inflow(response) == before + 1
    row = MaterialisedFigures.objects.get()
    assert timezone.now() - row.computed_at < datetime.timedelta(minutes=1)


def test_each_reader_is_served_the_figures_of_their_own_sites_only(client, on):
    own, _stays = site_with_three_stays("almelo")
    other, _stays = site_with_three_stays("middelburg")
    _place_one_more(other)
    both = user_with_role("project_leader", own, other)
    one = user_with_role("project_leader", own)
    client.force_login(both)
    _overview(client)
    assert _page(_overview(client)) == _computed_page(client, on)
    client.force_login(one)
    response = _overview(client)
    assert _page(response) == _computed_page(client, on)
    assert reverse("dashboards:site_dashboard", args=["middelburg"]) not in (
        response.content.decode()
    )
    assert sorted(
        MaterialisedFigures.objects.values_list("site_ids", flat=True)
    ) == sorted([[own.pk], sorted([own.pk, other.pk])])


def test_dutch_and_english_readers_each_get_their_own_language(client, on, world):
    _site, _other, leader = world
    client.force_login(leader)
    dutch = _overview(client)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = _overview(client)
    assert "Instroom en uitstroom" in dutch.content.decode()
    assert "Inflow and outflow" in english.content.decode()
    # the worker recomputes each row in its own language
    _age_rows(301)
    assert figures_refresh_due() == 2
    again = _overview(client)
    assert "Inflow and outflow" in again.content.decode()
    assert MaterialisedFigures.objects.count() == 2


def test_what_is_stored_names_no_one(client, on, world):
    site, other, leader = world
    client.force_login(leader)
    _overview(client)
    stored = figures_load(MaterialisedFigures.objects.get().payload)
    period = Period(datetime.date(2024, 1, 1), datetime.date(2024, 3, 31))
    full = overview_figures(Scope((site.pk, other.pk), period, "/"))
    assert full.b7.participant_count > 0
    assert stored.b7.participant_count == full.b7.participant_count
    assert len(stored.b7.participants) == 0
    rows = [
        row
        for table in stored.b7.tables
        for section in table.sections
        for row in section.rows
    ]
    assert rows
    assert not any(row.stay_ids or row.population_ids for row in rows)


class _Gadget:
    """A payload that would call a function when read."""

    def __reduce__(self):
        return (getattr, (object, "__subclasses__"))


@pytest.mark.parametrize(
    "payload",
    [
        pickle.dumps(_Gadget()),
        pickle.dumps(datetime.datetime.now),
        pickle.dumps({"not": "figures"}),
        b"not a pickle at all",
    ],
    ids=["function-call", "other-class", "other-value", "garbage"],
)
def test_a_row_holding_anything_else_is_never_read_but_computed_again(
    client, on, world, payload
):
    """A tampered row, or one restored from an altered backup, cannot run
    code: reading refuses it and the request computes the figures."""
    _site, _other, leader = world
    client.force_login(leader)
    expected = _computed_page(client, on)
    _overview(client)
    MaterialisedFigures.objects.update(payload=payload)
    with pytest.raises(Exception):  # noqa: B017, PT011 - refused, whatever the cause
        figures_load(payload)
    response = _overview(client)
    assert response.status_code == 200
    assert _page(response) == expected
    assert figures_load(MaterialisedFigures.objects.get().payload).summaries


def test_a_page_whose_figures_cannot_be_stored_still_shows_them(
    client, on, world, monkeypatch
):
    """A locked database file or a concurrent reader must not cost the page."""
    _site, _other, leader = world
    client.force_login(leader)
    expected = _computed_page(client, on)

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(MaterialisedFigures.objects, "update_or_create", locked)
    response = _overview(client)
    assert response.status_code == 200
    assert _page(response) == expected
    assert not MaterialisedFigures.objects.exists()


def test_one_worker_at_a_time_and_an_expired_lease_is_taken_over(client, on, world):
    _site, _other, leader = world
    client.force_login(leader)
    _overview(client)
    _age_rows(301)
    MaterialisedFigures.objects.update(
        refreshing_until=timezone.now() + datetime.timedelta(minutes=5)
    )
    assert figures_refresh_due() == 0
    assert figure_row_refresh(MaterialisedFigures.objects.get()) is False
    MaterialisedFigures.objects.update(
        refreshing_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert figures_refresh_due() == 1
    assert MaterialisedFigures.objects.get().refreshing_until is None


def test_a_row_that_fails_frees_its_lease_and_the_others_go_on(
    client, on, world, monkeypatch
):
    site, other, leader = world
    client.force_login(leader)
    _overview(client)
    client.force_login(user_with_role("project_leader", site))
    _overview(client)
    _age_rows(301)
    real = materialised.overview_figures

    def failing_for_two_sites(scope):
        if len(scope.site_ids) == 2:
            raise RuntimeError("a bad row")
        return real(scope)

    monkeypatch.setattr(materialised, "overview_figures", failing_for_two_sites)
    assert figures_refresh_due() == 1
    failed = MaterialisedFigures.objects.get(site_ids=sorted([site.pk, other.pk]))
    assert failed.refreshing_until is None
    assert timezone.now() - failed.computed_at > datetime.timedelta(seconds=300)


def test_the_worker_keeps_only_what_is_read(client, on, world, monkeypatch):
    """Rows not read for a day are not recomputed, rows not read for
    KV_OVERVIEW_KEEP_DAYS go, as do rows of an older format, rows beyond
    MAX_ROWS and every row once the overview is no longer materialised."""
    _site, _other, leader = world
    client.force_login(leader)
    _overview(client)
    _age_rows(301)
    MaterialisedFigures.objects.update(
        read_at=timezone.now() - datetime.timedelta(hours=25)
    )
    assert figures_refresh_due() == 0
    assert MaterialisedFigures.objects.exists()
    MaterialisedFigures.objects.update(
        read_at=timezone.now() - datetime.timedelta(days=3)
    )
    figures_refresh_due()
    assert not MaterialisedFigures.objects.exists()
    _overview(client)
    MaterialisedFigures.objects.update(format="older")
    figures_refresh_due()
    assert not MaterialisedFigures.objects.exists()
    _overview(client, QUARTER)
    _overview(client, FEBRUARY)
    monkeypatch.setattr(materialised, "MAX_ROWS", 1)
    figures_refresh_due()
    kept = MaterialisedFigures.objects.get()
    assert kept.period_start == datetime.date(2024, 2, 1)
    on.KV_OVERVIEW_MATERIALISED = False
    figures_refresh_due()
    assert not MaterialisedFigures.objects.exists()


def test_every_class_in_a_full_overview_is_part_of_the_stored_format(world):
    """A new class in the overview's figures must join ``PAYLOAD_CLASSES`` (and
    so the format), or reading it back fails here."""
    site, other, _leader = world
    period = Period(datetime.date(2024, 1, 1), datetime.date(2024, 3, 31))
    figures = overview_figures(Scope((site.pk, other.pk), period, "/cases/"))
    assert figures_load(figures_dump(figures)) == figures

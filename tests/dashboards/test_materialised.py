"""The programme overview served from figures the worker computes.

A project leader must see exactly what computing the overview gives, of
their own sites only, in their language, never older than the stale limit,
and the page must say when the figures were computed.
"""

from __future__ import annotations

import datetime
import pickle
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.periods import Period
from dashboards import materialised
from dashboards.materialised import figures_refresh_due, loads
from dashboards.models import MaterialisedFigures
from dashboards.overview import overview_figures
from dashboards.scope import Scope
from tests.dashboards.builders import intake_round, site_with_three_stays
from tests.dashboards.test_one_number import measured, two_stays_of_one_person
from tests.factories import PersonFactory, user_with_role
from trajectories.models import Stay

pytestmark = pytest.mark.django_db

QUARTER = {"start": "2024-01-01", "end": "2024-03-31"}
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


def _overview(client, **extra):
    return client.get(reverse("dashboards:overview"), QUARTER, **extra)


def _without_age(response) -> str:
    return PER_RESPONSE.sub("", AGE.sub("", response.content.decode()))


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


@pytest.fixture
def world():
    site, stays = site_with_three_stays("almelo")
    intake_round(site, count=2)
    two_stays_of_one_person(site, stays[0].place_type)
    measured(stays)
    other, _stays = site_with_three_stays("middelburg")
    return site, other, user_with_role("project_leader", site, other)


def test_served_figures_are_exactly_what_computing_gives_and_say_when(
    client, settings, world
):
    _site, _other, leader = world
    client.force_login(leader)
    settings.KV_OVERVIEW_MATERIALISED = False
    computed = _overview(client)
    settings.KV_OVERVIEW_MATERIALISED = True
    first = _overview(client)
    with CaptureQueriesContext(connection) as reading:
        served = _overview(client)
    assert MaterialisedFigures.objects.count() == 1
    assert _without_age(served) == _without_age(first) == _without_age(computed)
    assert "figures-age" not in computed.content.decode()
    assert 'id="figures-age"' in served.content.decode()
    assert served.context["computed_at"] == first.context["computed_at"]
    settings.KV_OVERVIEW_MATERIALISED = False
    with CaptureQueriesContext(connection) as computing:
        _overview(client)
    assert len(reading) < len(computing) - 20


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
    on.KV_OVERVIEW_MATERIALISED = False
    assert _without_age(after) == _without_age(_overview(client))


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
    assert _inflow(_overview(client)) == 7
    client.force_login(one)
    response = _overview(client)
    assert _inflow(response) == 3
    assert [site for site, _summary in response.context["sites"]] == [own]
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
    on.KV_OVERVIEW_MATERIALISED = False
    # the worker recomputes each row in its own language
    _age_rows(301)
    figures_refresh_due()
    on.KV_OVERVIEW_MATERIALISED = True
    again = _overview(client)
    assert "Inflow and outflow" in again.content.decode()
    assert MaterialisedFigures.objects.count() == 2


def test_unread_rows_go_and_rows_of_another_format_are_never_read(client, on, world):
    _site, _other, leader = world
    client.force_login(leader)
    _overview(client)
    MaterialisedFigures.objects.update(
        read_at=timezone.now() - datetime.timedelta(days=3)
    )
    figures_refresh_due()
    assert not MaterialisedFigures.objects.exists()
    _overview(client)
    MaterialisedFigures.objects.update(format="older")
    figures_refresh_due()
    assert not MaterialisedFigures.objects.exists()


def test_a_row_that_refers_to_anything_else_is_computed_again(client, on, world):
    """Reading back refuses every class it did not store, so a tampered or
    outdated row cannot run code: the request computes instead."""
    _site, _other, leader = world
    client.force_login(leader)
    expected = _inflow(_overview(client))
    MaterialisedFigures.objects.update(payload=pickle.dumps(datetime.datetime.now))
    with pytest.raises(pickle.UnpicklingError):
        loads(MaterialisedFigures.objects.get().payload)
    assert _inflow(_overview(client)) == expected
    assert loads(MaterialisedFigures.objects.get().payload).summaries


def test_one_worker_at_a_time_recomputes_a_row(client, on, world):
    _site, _other, leader = world
    client.force_login(leader)
    _overview(client)
    _age_rows(301)
    MaterialisedFigures.objects.update(
        refreshing_until=timezone.now() + datetime.timedelta(minutes=5)
    )
    assert figures_refresh_due() == 0
    assert materialised.figure_row_refresh(MaterialisedFigures.objects.get()) is False


def test_every_class_in_a_full_overview_is_part_of_the_stored_format(world):
    """A new class in the overview's figures must join ``PAYLOAD_CLASSES`` (and
    so the format), or deployments would read rows written by older code."""
    site, other, _leader = world
    period = Period(datetime.date(2024, 1, 1), datetime.date(2024, 3, 31))
    figures = overview_figures(Scope((site.pk, other.pk), period, "/cases/"))
    assert loads(materialised.dumps(figures)) == figures


def test_a_page_whose_figures_cannot_be_stored_still_shows_them(
    client, on, world, monkeypatch
):
    """A locked database file or a concurrent reader must not cost the page."""
    from django.db import OperationalError

    _site, _other, leader = world
    client.force_login(leader)

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    on.KV_OVERVIEW_MATERIALISED = False
    expected = _without_age(_overview(client))
    on.KV_OVERVIEW_MATERIALISED = True
    monkeypatch.setattr(MaterialisedFigures.objects, "update_or_create", locked)
    response = _overview(client)
    assert response.status_code == 200
    assert _without_age(response) == expected
    assert not MaterialisedFigures.objects.exists()

"""``core.db.insert_from_select`` writes exactly the rows a queryset selects,
in one statement, on SQLite and PostgreSQL alike (the summary tables of
intake and evaluation are rebuilt with it)."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import DateTimeField, F, Value

from core.db import insert_from_select
from core.models import Site, WorkerHeartbeat
from tests.factories import SiteFactory

pytestmark = pytest.mark.django_db

BEAT = datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.UTC)
COLUMNS = ("name", "beat_at", "host")


def _heartbeats_of(sites):
    return (
        sites.order_by()
        .values("code")
        .annotate(beat=Value(BEAT, output_field=DateTimeField()), host=F("name"))
    )


def test_inserts_exactly_the_selected_rows_and_counts_them():
    SiteFactory(code="almelo", name="KV Almelo")
    SiteFactory(code="krimpen", name="KV Krimpen")
    SiteFactory(code="middelburg", name="KV Middelburg")
    WorkerHeartbeat.objects.create(name="worker", beat_at=BEAT, host="host-1")

    selected = Site.objects.exclude(code="krimpen")
    inserted = insert_from_select(WorkerHeartbeat, COLUMNS, _heartbeats_of(selected))

    assert inserted == 2
    assert set(WorkerHeartbeat.objects.values_list(*COLUMNS)) == {
        ("worker", BEAT, "host-1"),
        ("almelo", BEAT, "KV Almelo"),
        ("middelburg", BEAT, "KV Middelburg"),
    }


def test_an_empty_selection_inserts_nothing():
    SiteFactory(code="almelo")

    none = Site.objects.filter(code="rotterdam")
    assert insert_from_select(WorkerHeartbeat, COLUMNS, _heartbeats_of(none)) == 0
    assert not WorkerHeartbeat.objects.exists()

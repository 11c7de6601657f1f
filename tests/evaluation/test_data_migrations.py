"""The data migrations of this release, run on rows as older code left them."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps

from evaluation.models import Item, Measurement, MeasurementStatus
from tests.dashboards.builders import krimpen_catalogue
from tests.factories import SiteFactory, StayFactory

pytestmark = pytest.mark.django_db


def _migration(name):
    return importlib.import_module(f"evaluation.migrations.{name}")


def test_items_get_the_level_they_are_recorded_at():
    site = SiteFactory(code="krimpen")
    catalogue = krimpen_catalogue(site)
    # as version 1 left them: every topic with only a KV level was KV-level
    for item in Item.objects.filter(catalogue=catalogue).select_related("topic"):
        levels = item.topic.levels
        item.recorded_at = "kv" if levels == ["kv"] else "persoon"
        item.save(update_fields=["recorded_at"])
    _migration("0007_items_recorded_at_their_level").set_levels(apps, None)
    level = dict(Item.objects.values_list("var", "recorded_at"))
    assert level["kri_act_functioneert_groep"] == "persoon"  # Activiteiten
    assert level["kri_act_plan_zelfstandig"] == "persoon"
    assert level["kri_sw_tevredenheid"] == "kv"  # Samenwerking
    assert level["kri_vk_personeelsformatie"] == "kv"  # Verloop en ervaring
    assert level["kri_wd_ondersteunend_netwerk"] == "persoon"


def test_measurements_planned_after_their_window_closed_become_not_taken():
    site = SiteFactory(code="krimpen")
    catalogue = krimpen_catalogue(site)
    stay = StayFactory(site=site, placed_on=datetime.date(2019, 3, 1))
    # created today (history records today) for windows long closed, as the
    # old schedule did for a backdated stay; and one still ahead
    past = Measurement.objects.create(
        stay=stay,
        catalogue=catalogue,
        moment="tussenmeting",
        sequence=1,
        due_on=datetime.date(2019, 5, 30),
        window_start=datetime.date(2019, 4, 30),
        window_end=datetime.date(2019, 6, 29),
    )
    ahead = Measurement.objects.create(
        stay=stay,
        catalogue=catalogue,
        moment="tussenmeting",
        sequence=2,
        due_on=datetime.date(2199, 1, 1),
        window_start=datetime.date(2198, 12, 1),
        window_end=datetime.date(2199, 1, 31),
    )
    _migration("0005_backdated_measurements_not_taken").mark_not_taken(apps, None)
    past.refresh_from_db()
    ahead.refresh_from_db()
    assert past.status == MeasurementStatus.NOT_TAKEN
    assert ahead.status == MeasurementStatus.PLANNED

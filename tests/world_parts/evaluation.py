"""Evaluation objects behind measurement_pk and kv_measurement_pk."""

from __future__ import annotations

from core.models import Site
from evaluation.services import kv_measurement_create, schedule_sync_for_stay
from tests.factories.evaluation import catalogue_from_data


def build(site: Site, marker: str, world: dict) -> None:
    catalogue_from_data(site)
    measurements = schedule_sync_for_stay(stay=world["_stay"])
    world["measurement_pk"] = measurements[0].pk
    world["kv_measurement_pk"] = kv_measurement_create(
        site=site,
        period_start=world["_stay"].placed_on,
        period_end=world["_stay"].placed_on,
    ).pk

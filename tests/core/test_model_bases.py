"""A period and an answer are defined once: every model with a start and an
optional end is a ``DatedPeriod`` (fields, the end-after-start rule in
``clean()`` and as a CHECK), every answer an ``AnswerRecord``, every
numbered version of a site's reference data a ``SiteVersion``."""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import CheckConstraint

from core.fields import DatedPeriod
from core.models import SiteVersion
from evaluation.models import AnswerRecord, MeasurementRecord
from partners.models import OrganisationTakeOver, agreed_and_performing_organisations


def _concrete_models():
    return [m for m in apps.get_models() if not m.__name__.startswith("Historical")]


def _fields(model) -> set[str]:
    return {f.name for f in model._meta.get_fields()}


def test_every_started_and_ended_model_is_a_dated_period_with_its_check():
    periods = [
        m for m in _concrete_models() if {"started_on", "ended_on"} <= _fields(m)
    ]
    assert len(periods) >= 4
    for model in periods:
        assert issubclass(model, DatedPeriod), model
        checks = [
            c
            for c in model._meta.constraints
            if isinstance(c, CheckConstraint)
            and c.condition == DatedPeriod.end_after_start("x").condition
        ]
        assert len(checks) == 1, model


@pytest.mark.parametrize(
    "model",
    [m for m in apps.get_models() if issubclass(m, DatedPeriod)],
    ids=lambda m: m.__name__,
)
def test_an_end_before_the_start_is_refused_on_the_end(model):
    record = model(
        started_on=datetime.date(2024, 3, 2), ended_on=datetime.date(2024, 3, 1)
    )
    errors: dict[str, ValidationError] = {}
    record.check_period(errors)
    assert list(errors) == ["ended_on"]


def test_every_answer_and_measurement_shares_its_base():
    for model in _concrete_models():
        fields = _fields(model)
        if {"value", "missing_reason"} <= fields:
            assert issubclass(model, AnswerRecord), model
        if {"status", "completed_by", "completed_at"} <= fields:
            assert issubclass(model, MeasurementRecord), model


# Catalogue versions list the newest first (the admin shows the current one on top);
# every other site version orders by site, then version.
OWN_ORDERING = {"evaluation.CatalogueVersion": ["site", "-version"]}


def test_every_versioned_site_reference_is_a_site_version_with_its_constraint():
    versions = [
        m for m in _concrete_models() if {"site", "version", "valid_from"} <= _fields(m)
    ]
    assert len(versions) >= 4
    for model in versions:
        assert issubclass(model, SiteVersion), model
        expected = OWN_ORDERING.get(model._meta.label, ["site", "version"])
        assert model._meta.ordering == expected, model
        unique = [
            c
            for c in model._meta.constraints
            if c == SiteVersion.unique_per_site(c.name)
        ]
        assert len(unique) == 1, model


def test_every_agreed_and_performing_organisation_pair_is_declared_once():
    pair = ("agreed_organisation", "performing_organisation")
    models = [m for m in _concrete_models() if set(pair) <= _fields(m)]
    labels = {m._meta.label for m in models}
    assert {"intake.StageEvent", "intake.PrescanAnswer"} <= labels
    # deconstruct(): (name, path, args, kwargs); the helper's fields are unnamed
    shared = [f.deconstruct()[1:] for f in agreed_and_performing_organisations()]
    for model in models:
        assert issubclass(model, OrganisationTakeOver), model
        declared = [model._meta.get_field(name).deconstruct()[1:] for name in pair]
        assert declared == shared, model

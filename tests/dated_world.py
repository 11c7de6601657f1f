"""A world (``tests.world``) with at least one row of every model that has a
date field, for the tests of the date policy (``core.dates``).

The models are found, not listed: ``dated_models()`` enumerates every model
with a date field, and ``build_dated_world`` fails when one of them has no
row, so a new dated model must be added here before its dates are tested.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.apps import apps
from django.db import models
from django.test import override_settings

from core.fields import FactDateField
from core.models import NotificationSettings, Site
from core.periods import Period
from dashboards.materialised import overview_figures_serve
from dashboards.scope import Scope
from evaluation.models import (
    Answer,
    Item,
    KvAnswer,
    KvMeasurement,
    MeasurementFactorScore,
)
from intake.models import (
    CaseDocument,
    CriterionCheck,
    PrescanAnswer,
    StageEvent,
)
from tests.factories import (
    CriteriaVersionFactory,
    CriterionFactory,
    EmployerCheckFactory,
    IncidentFactory,
    IntakeStageFactory,
    JobSearchActivityFactory,
    LocationPeriodFactory,
    SiteStatusPeriodFactory,
    StayPhaseFactory,
    UserFactory,
)
from tests.world import build_world
from trajectories.models import StayStep, StayStepDefinition

D = datetime.date


def is_history(model: type[models.Model]) -> bool:
    return any(field.name == "history_id" for field in model._meta.fields)


def date_fields(model: type[models.Model]) -> list[models.DateField]:
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.DateField)
        and not isinstance(field, models.DateTimeField)
    ]


def dated_models() -> list[type[models.Model]]:
    """Every model of the project (history copies left out) with a date field."""
    return [
        model
        for model in apps.get_models()
        if model._meta.managed
        and not model._meta.proxy
        and not is_history(model)
        and date_fields(model)
    ]


def latest_allowed(field: models.DateField, today: datetime.date) -> datetime.date:
    from core.dates import LATEST_DATE

    return today if isinstance(field, FactDateField) else LATEST_DATE


def build_dated_world(site: Site, marker: str) -> dict[str, Any]:
    world = build_world(site, marker)
    case, stay = world["_case"], world["_stay"]
    SiteStatusPeriodFactory(site=site, status="open", start=D(2019, 1, 1))
    version = CriteriaVersionFactory(site=site, valid_from=D(2019, 1, 1))
    criterion = CriterionFactory(version=version)
    stage = case.process.stages.get(code="screening")
    # a term counted back from the report date (Middelburg's call-up)
    IntakeStageFactory(
        process=case.process,
        code="call_up",
        order=9,
        due_anchor="report_date",
        due_offset_days=-42,
    )
    case.report_date = case.opened_on
    case.save(update_fields=["report_date"])
    letter = case.process.stages.get(code="letter")
    StageEvent.objects.create(
        case=case, stage=stage, occurred_on=case.opened_on, outcome="positive"
    )
    PrescanAnswer.objects.create(
        case=case,
        partner="om",
        asked_on=case.opened_on,
        answered_on=case.opened_on,
        objection=False,
    )
    CaseDocument.objects.create(
        case=case,
        stage=letter,
        document_code="motivatiebrief",
        received_on=case.opened_on,
    )
    CriterionCheck.objects.create(
        case=case, criterion=criterion, result="met", checked_on=case.opened_on
    )
    StayPhaseFactory(stay=stay)
    LocationPeriodFactory(stay=stay, ended_on=stay.placed_on)
    IncidentFactory(stay=stay, decided_on=stay.placed_on)
    job = stay.jobs.get()
    job.ended_on = job.started_on
    job.save(update_fields=["ended_on"])
    EmployerCheckFactory(employment=job)
    JobSearchActivityFactory(stay=stay, occurred_on=stay.placed_on)
    measurement = stay.measurements.order_by("pk").first()
    date_item = Item.objects.filter(catalogue=measurement.catalogue).first()
    Answer.objects.create(
        measurement=measurement,
        item=date_item,
        value=stay.placed_on.isoformat(),
        source="dossier",
        checked_on=stay.placed_on,
    )
    kv_measurement = KvMeasurement.objects.get(pk=world["kv_measurement_pk"])
    KvAnswer.objects.create(
        kv_measurement=kv_measurement,
        item=date_item,
        value="ja",
        checked_on=stay.placed_on,
    )
    definition = StayStepDefinition.objects.create(
        site=site, code="start_meeting", name="Startgesprek", performer_role="KV"
    )
    StayStep.objects.create(
        stay=stay, definition=definition, occurred_on=stay.placed_on
    )
    NotificationSettings.objects.create(
        user=UserFactory(), digest_sent_on=stay.placed_on
    )
    # a summary row as evaluation.summaries writes it for a scored answer
    # on a protective factor (this catalogue has none), so its copied
    # outflow date is checked like every other date
    MeasurementFactorScore.objects.create(
        measurement=measurement,
        factor="woonsituatie",
        score_sum=4,
        answered=1,
        site=stay.site,
        moment=measurement.moment,
        stay_ended_on=stay.placed_on,
    )
    # the programme overview's figures as a reader's first visit stores them
    with override_settings(KV_OVERVIEW_MATERIALISED=True):
        overview_figures_serve(
            Scope((site.pk,), Period(stay.placed_on, stay.placed_on), "/cases/"),
        )
    missing = [
        model.__name__ for model in dated_models() if not model._base_manager.exists()
    ]
    assert missing == [], f"tests/dated_world.py makes no {missing}: add them"
    return world

"""Factories for the intake app."""

from __future__ import annotations

import datetime

import factory
from factory.django import DjangoModelFactory

from intake.models import (
    EntryRoute,
    IntakeCase,
    IntakeProcessVersion,
    IntakeStageDefinition,
    StageKind,
)
from tests.factories.core import PersonFactory, SiteFactory

__all__ = [
    "EntryRouteFactory",
    "IntakeCaseFactory",
    "IntakeProcessFactory",
    "IntakeStageFactory",
    "simple_process",
]


class IntakeProcessFactory(DjangoModelFactory[IntakeProcessVersion]):
    class Meta:
        model = IntakeProcessVersion
        django_get_or_create = ("site", "version")

    site = factory.SubFactory(SiteFactory)
    version = 1
    valid_from = datetime.date(2019, 1, 1)
    name = factory.LazyAttribute(lambda o: f"Instroom {o.site.code}")


class EntryRouteFactory(DjangoModelFactory[EntryRoute]):
    class Meta:
        model = EntryRoute
        django_get_or_create = ("process", "code")

    process = factory.SubFactory(IntakeProcessFactory)
    code = "dji_list"
    name = "Lijst DJI"
    importable = True


class IntakeStageFactory(DjangoModelFactory[IntakeStageDefinition]):
    class Meta:
        model = IntakeStageDefinition
        django_get_or_create = ("process", "code")

    process = factory.SubFactory(IntakeProcessFactory)
    code = factory.Sequence(lambda n: f"stage{n}")
    name = factory.LazyAttribute(lambda o: f"Stap {o.code}")
    order = factory.Sequence(lambda n: n + 1)
    kind = StageKind.ASSESSMENT
    performer_role = "casemanager"
    performer_organisation = "KV"
    outcomes = factory.LazyFunction(lambda: ["positive", "negative"])
    requires = factory.LazyFunction(list)


def simple_process(
    site, *, valid_from: datetime.date = datetime.date(2019, 1, 1), version: int = 1
) -> IntakeProcessVersion:
    """screening -> (letter | interview, in any order) -> decision."""
    process = IntakeProcessFactory(site=site, version=version, valid_from=valid_from)
    EntryRouteFactory(process=process, code="dji_list", name="Lijst DJI")
    EntryRouteFactory(
        process=process, code="referral", name="Aanmelding", importable=False
    )
    IntakeStageFactory(process=process, code="screening", order=1)
    IntakeStageFactory(
        process=process,
        code="letter",
        order=2,
        kind=StageKind.STEP,
        outcomes=["completed"],
        requires=["screening"],
        documents=[{"code": "motivatiebrief", "name": "motivatiebrief"}],
    )
    IntakeStageFactory(
        process=process, code="interview", order=3, requires=["screening"]
    )
    IntakeStageFactory(
        process=process,
        code="decision",
        order=4,
        kind=StageKind.DECISION,
        requires=["letter", "interview"],
    )
    return process


class IntakeCaseFactory(DjangoModelFactory[IntakeCase]):
    class Meta:
        model = IntakeCase

    site = factory.SubFactory(SiteFactory)
    person = factory.SubFactory(PersonFactory, site=factory.SelfAttribute("..site"))
    opened_on = datetime.date(2020, 3, 1)

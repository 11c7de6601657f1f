"""Factories for the intake app."""

from __future__ import annotations

import datetime

import factory
from factory.django import DjangoModelFactory

from intake.models import IntakeCase
from tests.factories.core import PersonFactory, SiteFactory


class IntakeCaseFactory(DjangoModelFactory[IntakeCase]):
    class Meta:
        model = IntakeCase

    site = factory.SubFactory(SiteFactory)
    person = factory.SubFactory(PersonFactory, site=factory.SelfAttribute("..site"))
    opened_on = datetime.date(2020, 3, 1)

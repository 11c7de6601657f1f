"""Factories for the trajectories app."""

from __future__ import annotations

import datetime

import factory
from factory.django import DjangoModelFactory

from tests.factories.core import PersonFactory, PlaceTypeFactory, SiteFactory
from trajectories.models import Stay


class StayFactory(DjangoModelFactory[Stay]):
    class Meta:
        model = Stay

    site = factory.SubFactory(SiteFactory)
    person = factory.SubFactory(PersonFactory, site=factory.SelfAttribute("..site"))
    place_type = factory.SubFactory(
        PlaceTypeFactory, site=factory.SelfAttribute("..site")
    )
    placed_on = datetime.date(2020, 4, 1)

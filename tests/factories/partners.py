"""Factories for the partners app."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from partners.models import Organisation, OrganisationKind


class OrganisationFactory(DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organisatie {n}")
    kind = OrganisationKind.OTHER

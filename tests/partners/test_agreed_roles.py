"""Which organisation a site agreed plays a case role, and who actually
plays it."""

from __future__ import annotations

import datetime

import pytest
import yaml

from partners.models import AgreedRole, CaseRole, CaseRoleKind, Organisation
from partners.reference import partners_file, partners_load
from partners.services import case_role_assign
from tests.factories import PersonFactory
from tests.factories.partners import ContactPersonFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def test_every_agreed_role_in_the_file_is_loaded_for_an_organisation_of_its_site(
    reference,
):
    entries = yaml.safe_load(partners_file().read_text(encoding="utf-8"))[
        "agreed_roles"
    ]
    assert entries
    for entry in entries:
        agreed = AgreedRole.objects.get(site__code=entry["site"], role=entry["role"])
        assert agreed.organisation.name == entry["organisation"]
        assert agreed.organisation.serves(agreed.site)
        assert entry["role"] in CaseRoleKind.values


def test_a_role_without_organisation_gets_the_agreed_one(reference):
    person = PersonFactory(site=reference["krimpen"])
    role = case_role_assign(
        person=person,
        role=CaseRoleKind.BUDDY,
        name="Buddy Jan",
        started_on=D(2020, 4, 1),
    )
    assert role.organisation.name == "Gevangenenzorg Nederland (GNd)"
    assert role.agreed_organisation == role.organisation
    assert not role.is_taken_over


def test_a_role_played_by_another_party_shows_as_taken_over(reference):
    person = PersonFactory(site=reference["almelo"])
    hvh = ContactPersonFactory(organisation=Organisation.objects.get(name="PI Almelo"))
    role = case_role_assign(
        person=person,
        role=CaseRoleKind.PROBATION_OFFICER,
        contact=hvh,
        started_on=D(2021, 4, 1),
    )
    assert role.organisation.name == "PI Almelo"
    assert role.agreed_organisation.name == "3 reclasseringsorganisaties (3RO)"
    assert role.is_taken_over


def test_roles_recorded_before_the_agreement_get_it_when_it_loads(reference):
    person = PersonFactory(site=reference["almelo"])
    role = case_role_assign(
        person=person,
        role=CaseRoleKind.AFTERCARE,
        name="Nazorg",
        started_on=D(2021, 4, 1),
    )
    CaseRole.objects.filter(pk=role.pk).update(
        organisation=None, agreed_organisation=None
    )
    partners_load()
    role.refresh_from_db()
    assert role.organisation.name == "Twentse gemeenten"
    assert role.agreed_organisation == role.organisation

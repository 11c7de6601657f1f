"""Factories for the partners app."""

from __future__ import annotations

import datetime

import factory
from factory.django import DjangoModelFactory

from partners.models import (
    CaseRole,
    CaseRoleKind,
    Consent,
    ConsentKind,
    ContactPerson,
    NetworkContact,
    NetworkMember,
    Organisation,
    OrganisationKind,
    PartnerResponsibility,
    Relation,
    RequiredConsent,
    ResponsibilityTable,
    RoleContact,
)
from tests.factories.core import PersonFactory, SiteFactory


class OrganisationFactory(DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organisatie {n}")
    kind = OrganisationKind.OTHER

    @factory.post_generation
    def sites(obj, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            obj.sites.set(extracted)


class ContactPersonFactory(DjangoModelFactory[ContactPerson]):
    class Meta:
        model = ContactPerson

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Faker("name", locale="nl_NL")
    function = "contactpersoon"


class ResponsibilityTableFactory(DjangoModelFactory[ResponsibilityTable]):
    class Meta:
        model = ResponsibilityTable

    site = factory.SubFactory(SiteFactory)
    number = factory.Sequence(lambda n: f"2.{n}.1")
    title = "Verantwoordelijkheden samenwerkingspartners"
    intake_heading = "Verantwoordelijk voor instroom, doorstroom, uitstroom"
    execution_heading = "Verantwoordelijk voor uitvoering tijdens (en na) verblijf"


class PartnerResponsibilityFactory(DjangoModelFactory[PartnerResponsibility]):
    class Meta:
        model = PartnerResponsibility

    table = factory.SubFactory(ResponsibilityTableFactory)
    partner = factory.Sequence(lambda n: f"Partner {n}")
    execution = "Begeleiding tijdens verblijf."


class CaseRoleFactory(DjangoModelFactory[CaseRole]):
    class Meta:
        model = CaseRole

    person = factory.SubFactory(PersonFactory)
    role = CaseRoleKind.BUDDY
    name = factory.Sequence(lambda n: f"Buddy {n}")
    started_on = datetime.date(2020, 4, 1)


class RoleContactFactory(DjangoModelFactory[RoleContact]):
    class Meta:
        model = RoleContact

    case_role = factory.SubFactory(CaseRoleFactory)
    contacted_on = datetime.date(2020, 4, 15)
    kind = "one_to_one"


class ConsentFactory(DjangoModelFactory[Consent]):
    class Meta:
        model = Consent

    person = factory.SubFactory(PersonFactory)
    kind = ConsentKind.INFORMATION_EXCHANGE
    given_on = datetime.date(2020, 4, 1)
    scope = "alle netwerkpartners"


class RequiredConsentFactory(DjangoModelFactory[RequiredConsent]):
    class Meta:
        model = RequiredConsent

    site = factory.SubFactory(SiteFactory)
    kind = ConsentKind.INFORMATION_EXCHANGE


class NetworkMemberFactory(DjangoModelFactory[NetworkMember]):
    class Meta:
        model = NetworkMember

    person = factory.SubFactory(PersonFactory)
    relation = Relation.PARTNER
    name = factory.Faker("first_name", locale="nl_NL")


class NetworkContactFactory(DjangoModelFactory[NetworkContact]):
    class Meta:
        model = NetworkContact

    member = factory.SubFactory(NetworkMemberFactory)
    contacted_on = datetime.date(2020, 5, 1)
    kind = "visit"

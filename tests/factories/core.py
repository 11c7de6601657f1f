"""Factories for core: sites, reference data, users, people."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory
from faker import Faker

from core.models import (
    AuditEvent,
    CapacityPeriod,
    CriteriaVersion,
    Criterion,
    CriterionKind,
    Gender,
    LegalStatus,
    Membership,
    Person,
    PlaceType,
    SecurityLevel,
    Site,
    SiteGender,
    SiteStatus,
    SiteStatusPeriod,
)
from core.scoping import Role

TEST_PASSWORD = "correct-horse-battery-staple"


class SiteFactory(DjangoModelFactory[Site]):
    class Meta:
        model = Site
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"site{n}")
    name = factory.LazyAttribute(lambda o: f"KV {o.code.title()}")
    alias = ""
    host_pi = factory.LazyAttribute(lambda o: f"PI {o.code.title()}")
    security_level = SecurityLevel.BBA
    legal_status = LegalStatus.SENTENCED
    gender = SiteGender.MALE


class SiteStatusPeriodFactory(DjangoModelFactory[SiteStatusPeriod]):
    class Meta:
        model = SiteStatusPeriod

    site = factory.SubFactory(SiteFactory)
    status = SiteStatus.OPEN
    start = datetime.date(2020, 1, 1)


class PlaceTypeFactory(DjangoModelFactory[PlaceType]):
    class Meta:
        model = PlaceType
        django_get_or_create = ("site", "code")

    site = factory.SubFactory(SiteFactory)
    code = "regular"
    name = "Reguliere plaats"
    security_level = SecurityLevel.BBA


class CapacityPeriodFactory(DjangoModelFactory[CapacityPeriod]):
    class Meta:
        model = CapacityPeriod

    place_type = factory.SubFactory(PlaceTypeFactory)
    places = 10
    valid_from = datetime.date(2019, 1, 1)
    planned = False


class CriteriaVersionFactory(DjangoModelFactory[CriteriaVersion]):
    class Meta:
        model = CriteriaVersion

    site = factory.SubFactory(SiteFactory)
    version = factory.Sequence(lambda n: n + 1)
    valid_from = datetime.date(2019, 1, 1)


class CriterionFactory(DjangoModelFactory[Criterion]):
    class Meta:
        model = Criterion

    version = factory.SubFactory(CriteriaVersionFactory)
    code = factory.Sequence(lambda n: f"crit{n}")
    kind = CriterionKind.INCLUSION
    text = factory.Sequence(lambda n: f"Criterium {n}")
    order = factory.Sequence(lambda n: n)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="nl_NL")
    last_name = factory.Faker("last_name", locale="nl_NL")

    @factory.post_generation
    def password(obj, create: bool, extracted: str | None, **kwargs: object) -> None:
        obj.set_password(extracted or TEST_PASSWORD)
        if create:
            obj.save(update_fields=["password"])


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    site = factory.SubFactory(SiteFactory)
    role = Role.CASEMANAGER


def user_with_role(role: str, *sites: Site, username: str | None = None):
    """A user holding ``role`` at each of ``sites``."""
    user = UserFactory(**({"username": username} if username else {}))
    for site in sites:
        MembershipFactory(user=user, site=site, role=role)
    return user


_DUTCH = Faker("nl_NL")


class PersonFactory(DjangoModelFactory[Person]):
    class Meta:
        model = Person

    site = factory.SubFactory(SiteFactory)
    first_name = factory.Faker("first_name_male", locale="nl_NL")
    # A numbered suffix: tests check that a name is absent from a page, and a
    # plain surname ("Bos", "Kok") can be part of other words on it.
    last_name = factory.Sequence(lambda n: f"{_DUTCH.last_name()}-{n}k")
    date_of_birth = factory.Faker(
        "date_between",
        start_date=datetime.date(1960, 1, 1),
        end_date=datetime.date(2000, 12, 31),
    )
    gender = Gender.MALE
    dji_number = factory.Sequence(lambda n: f"{1000000 + n}")
    municipality_of_origin = "Almelo"


class AuditEventFactory(DjangoModelFactory[AuditEvent]):
    class Meta:
        model = AuditEvent

    kind = "login"
    summary = "login"

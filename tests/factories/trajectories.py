"""Factories for the trajectories app."""

from __future__ import annotations

import datetime

import factory
from factory.django import DjangoModelFactory

from tests.factories.core import PersonFactory, PlaceTypeFactory, SiteFactory
from trajectories.models import (
    Activity,
    ActivityStatus,
    EmployerCheck,
    Employment,
    Goal,
    GoalDomain,
    GoalFramework,
    Incident,
    IndividualPlan,
    JobOrigin,
    JobSearchActivity,
    JobSearchKind,
    LocationPeriod,
    LocationStatus,
    PayKind,
    PlanFormDefinition,
    ProgrammePhase,
    Review,
    ReviewKind,
    Stay,
    StayPhase,
    WorkRule,
)


class StayFactory(DjangoModelFactory[Stay]):
    class Meta:
        model = Stay

    site = factory.SubFactory(SiteFactory)
    person = factory.SubFactory(PersonFactory, site=factory.SelfAttribute("..site"))
    place_type = factory.SubFactory(
        PlaceTypeFactory, site=factory.SelfAttribute("..site")
    )
    placed_on = datetime.date(2020, 4, 1)


class ProgrammePhaseFactory(DjangoModelFactory[ProgrammePhase]):
    class Meta:
        model = ProgrammePhase
        django_get_or_create = ("site", "code")

    site = factory.SubFactory(SiteFactory)
    code = factory.Sequence(lambda n: f"phase{n}")
    name = factory.LazyAttribute(lambda o: f"Fase {o.code}")
    order = factory.Sequence(lambda n: n)


class StayPhaseFactory(DjangoModelFactory[StayPhase]):
    class Meta:
        model = StayPhase

    stay = factory.SubFactory(StayFactory)
    place_type = factory.SelfAttribute("stay.place_type")
    started_on = factory.SelfAttribute("stay.placed_on")


class GoalDomainFactory(DjangoModelFactory[GoalDomain]):
    class Meta:
        model = GoalDomain
        django_get_or_create = ("code",)

    framework = GoalFramework.PROTECTIVE_FACTOR
    code = factory.Sequence(lambda n: f"domain{n}")
    name = factory.LazyAttribute(lambda o: f"Leefgebied {o.code}")


class PlanFormDefinitionFactory(DjangoModelFactory[PlanFormDefinition]):
    class Meta:
        model = PlanFormDefinition
        django_get_or_create = ("site",)
        skip_postgeneration_save = True

    site = factory.SubFactory(SiteFactory)
    plan_name = "Plan van aanpak"
    author = "de casemanager"
    fields = factory.LazyFunction(
        lambda: [{"name": "regievoerder", "required": True, "label": "Regievoerder"}]
    )

    @factory.post_generation
    def domains(obj, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create:
            obj.domains.set(extracted or [GoalDomainFactory(code="pf_woonsituatie")])


class IndividualPlanFactory(DjangoModelFactory[IndividualPlan]):
    class Meta:
        model = IndividualPlan

    stay = factory.SubFactory(StayFactory)
    name = "Plan van aanpak"
    drawn_up_on = factory.LazyAttribute(lambda o: o.stay.placed_on)


class GoalFactory(DjangoModelFactory[Goal]):
    class Meta:
        model = Goal

    plan = factory.SubFactory(IndividualPlanFactory)
    domain = factory.SubFactory(GoalDomainFactory, code="pf_woonsituatie")
    description = factory.Sequence(lambda n: f"Doel {n}")


class ActivityFactory(DjangoModelFactory[Activity]):
    class Meta:
        model = Activity

    goal = factory.SubFactory(GoalFactory)
    description = factory.Sequence(lambda n: f"Activiteit {n}")
    status = ActivityStatus.PLANNED
    due_on = datetime.date(2020, 6, 1)


class ReviewFactory(DjangoModelFactory[Review]):
    class Meta:
        model = Review

    plan = factory.SubFactory(IndividualPlanFactory)
    held_on = datetime.date(2020, 5, 1)
    kind = ReviewKind.MENTOR_TALK
    notes = "Voortgang besproken."


class LocationPeriodFactory(DjangoModelFactory[LocationPeriod]):
    class Meta:
        model = LocationPeriod

    stay = factory.SubFactory(StayFactory)
    status = LocationStatus.HOME_EM
    started_on = factory.LazyAttribute(lambda o: o.stay.placed_on)


class IncidentFactory(DjangoModelFactory[Incident]):
    class Meta:
        model = Incident

    stay = factory.SubFactory(StayFactory)
    occurred_on = factory.LazyAttribute(lambda o: o.stay.placed_on)
    kind = "drug_use"
    detection = "urine_test"
    consequence = "warning"


class EmploymentFactory(DjangoModelFactory[Employment]):
    class Meta:
        model = Employment

    stay = factory.SubFactory(StayFactory)
    employer = factory.SubFactory(
        "tests.factories.partners.OrganisationFactory", kind="employer"
    )
    job_title = "Lasser"
    hours_per_week = 32
    pay_kind = PayKind.PAID
    started_on = datetime.date(2019, 1, 1)
    origin = JobOrigin.KEPT


class EmployerCheckFactory(DjangoModelFactory[EmployerCheck]):
    class Meta:
        model = EmployerCheck

    employment = factory.SubFactory(EmploymentFactory)
    checked_on = datetime.date(2020, 5, 1)
    method = "phone"


class JobSearchActivityFactory(DjangoModelFactory[JobSearchActivity]):
    class Meta:
        model = JobSearchActivity

    stay = factory.SubFactory(StayFactory)
    kind = JobSearchKind.VACANCY_SEARCH
    occurred_on = datetime.date(2020, 5, 1)


class WorkRuleFactory(DjangoModelFactory[WorkRule]):
    class Meta:
        model = WorkRule

    site = factory.SubFactory(SiteFactory)
    kind = "min_hours_per_week"
    value = 24
    text = "minimaal 24 uur per week"

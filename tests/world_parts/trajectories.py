"""Objects behind the trajectories URL keywords, for the permission matrix."""

from __future__ import annotations

from typing import Any

from core.models import Site
from tests.factories import (
    ActivityFactory,
    EmploymentFactory,
    GoalDomainFactory,
    GoalFactory,
    IndividualPlanFactory,
    OrganisationFactory,
    PlanFormDefinitionFactory,
    ProgrammePhaseFactory,
    ReviewFactory,
)


def build(site: Site, marker: str, world: dict[str, Any]) -> None:
    stay = world["_stay"]
    domain = GoalDomainFactory(code="pf_woonsituatie")
    PlanFormDefinitionFactory(site=site, plan_name=f"Plan {marker}", domains=[domain])
    ProgrammePhaseFactory(site=site, code="fase1", place_type=world["_place_type"])
    plan = IndividualPlanFactory(stay=stay, name=f"Plan {marker}", regievoerder=marker)
    goal = GoalFactory(plan=plan, domain=domain, description=f"Doel {marker}")
    activity = ActivityFactory(goal=goal, description=f"Activiteit {marker}")
    ReviewFactory(plan=plan, notes=f"Review {marker}")
    employer = OrganisationFactory(name=f"Werkgever {marker}", kind="employer")
    employer.sites.add(site)
    job = EmploymentFactory(stay=stay, employer=employer, job_title=f"Baan {marker}")
    world.update(
        {
            "plan_pk": plan.pk,
            "goal_pk": goal.pk,
            "activity_pk": activity.pk,
            "employment_pk": job.pk,
        }
    )

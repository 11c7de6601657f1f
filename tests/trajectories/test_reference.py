from __future__ import annotations

import pytest

from trajectories.models import GoalDomain, PlanFormDefinition, ProgrammePhase, WorkRule
from trajectories.reference import plans_load

pytestmark = pytest.mark.django_db


def test_plan_forms_goal_catalogues_phases_and_rules_are_loaded(reference):
    assert GoalDomain.objects.filter(framework="protective_factor").count() == 8
    assert GoalDomain.objects.filter(framework="basic_condition").count() == 6
    forms = {f.site.code: f for f in PlanFormDefinition.objects.select_related("site")}
    assert forms["krimpen"].plan_name == "Mijn CompagniePlan"
    assert forms["krimpen"].written_by_detainee is True
    assert forms["middelburg"].signature_required is True
    assert forms["krimpen"].domains.filter(code="bv_sociaal_netwerk").exists()
    assert not forms["middelburg"].domains.filter(code="bv_sociaal_netwerk").exists()
    assert forms["almelo"].domains.count() == 8
    phases = ProgrammePhase.objects.filter(site__code="krimpen").order_by("order")
    assert [(p.code, p.place_type.code) for p in phases] == [
        ("dc1", "bbi"),
        ("dc2", "zbbi"),
        ("dc2a", "gesloten"),
    ]
    rules = {(r.site.code, r.kind): r.value for r in WorkRule.objects.all()}
    assert rules == {
        ("middelburg", "min_hours_per_week"): 24,
        ("middelburg", "verifiable_with_employer"): None,
        ("middelburg", "within_travel_distance"): None,
        ("rotterdam", "min_months_in_service"): 3,
        ("rotterdam", "min_hours_per_week"): 26,
    }


def test_loading_plans_twice_changes_nothing(reference):
    # ordered: PostgreSQL returns rows of an unordered query in any order
    rows = PlanFormDefinition.objects.order_by("pk")
    before = list(rows.values_list("pk", "plan_name", "fields"))
    plans_load()
    after = list(rows.values_list("pk", "plan_name", "fields"))
    assert before == after
    assert ProgrammePhase.objects.count() == 7

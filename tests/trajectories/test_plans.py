from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from tests.factories import (
    ActivityFactory,
    GoalFactory,
    IndividualPlanFactory,
    OrganisationFactory,
    PersonFactory,
    StayFactory,
)
from trajectories.models import Activity, GoalDomain, IndividualPlan
from trajectories.services import (
    ACTIVITY_REASON_REQUIRED,
    DOMAIN_NOT_FOR_SITE,
    activity_update,
    goal_create,
    plan_create,
    plan_update,
)

pytestmark = pytest.mark.django_db


def _stay(site):
    place_type = site.place_types.order_by("code").first()
    person = PersonFactory(site=site)
    return StayFactory(site=site, person=person, place_type=place_type)


def test_each_site_plan_requires_what_its_definition_requires(reference):
    expectations = {
        "almelo": {
            "regievoerder",
            "aftercare_coordinator",
            "aftercare_involved_on",
            "strengths_inventory_on",
            "risk_assessment_on",
            "risk_level",
        },
        "amsterdam": {"risc_on", "regievoerder"},
        "krimpen": {"written_by_detainee", "personal_goal"},
        "middelburg": {"personal_goal", "signed_on", "agreement_document"},
        "rotterdam": {"written_by_detainee", "restorative_aims"},
    }
    for code, required in expectations.items():
        stay = _stay(reference[code])
        with pytest.raises(ValidationError) as error:
            plan_create(stay=stay, data={"drawn_up_on": datetime.date(2020, 5, 1)})
        assert set(error.value.message_dict) == required, code
        assert not IndividualPlan.objects.filter(stay=stay).exists()


def test_plan_gets_the_site_name_and_every_save_is_a_new_version(reference):
    stay = _stay(reference["middelburg"])
    plan = plan_create(
        stay=stay,
        data={
            "drawn_up_on": datetime.date(2020, 9, 1),
            "personal_goal": "Baan behouden",
            "signed_on": datetime.date(2020, 9, 2),
            "agreement_document": "Overeenkomst 2 september",
        },
    )
    assert plan.name == "doelstelling verblijf (overeenkomst)"
    assert plan.written_by_detainee is True  # Middelburg: the detainee writes it
    plan_update(plan=plan, data={"personal_goal": "Baan behouden, schulden in beeld"})
    plan.refresh_from_db()
    assert plan.version == 2
    assert [h.personal_goal for h in plan.history.order_by("history_id")] == [
        "Baan behouden",
        "Baan behouden, schulden in beeld",
    ]


def test_goal_on_a_life_area_the_site_does_not_use_is_refused(reference):
    plan = IndividualPlanFactory(stay=_stay(reference["rotterdam"]))
    housing = GoalDomain.objects.get(code="pf_woonsituatie")
    with pytest.raises(ValidationError) as error:
        goal_create(plan=plan, domain=housing, description="Woning vinden")
    assert error.value.message_dict == {"domain": [str(DOMAIN_NOT_FOR_SITE)]}
    sixth = GoalDomain.objects.get(code="bv_sociaal_netwerk")
    krimpen_plan = IndividualPlanFactory(stay=_stay(reference["krimpen"]))
    assert goal_create(plan=krimpen_plan, domain=sixth, description="Netwerk").pk


def test_activity_not_done_without_reason_is_refused(almelo):
    activity = ActivityFactory(goal__plan__stay__site=almelo)
    with pytest.raises(ValidationError) as error:
        activity_update(activity=activity, data={"status": "not_done"})
    assert error.value.message_dict == {
        "not_done_reason": [str(ACTIVITY_REASON_REQUIRED)]
    }
    activity.refresh_from_db()
    assert activity.status == "planned"


def test_activity_edit_without_reason_shows_the_message_and_keeps_the_input(
    client, almelo, casemanager_almelo
):
    organisation = OrganisationFactory(name="Transfore", sites=[almelo])
    activity = ActivityFactory(
        goal__plan__stay__site=almelo,
        goal__plan__stay__person__site=almelo,
        description="Intake Transfore",
    )
    client.force_login(casemanager_almelo)
    response = client.post(
        f"/trajectories/activities/{activity.pk}/edit/",
        {
            "description": "Intake bij Transfore geregeld",
            "responsible_organisation": organisation.pk,
            "responsible_person": "J. de Behandelaar",
            "status": "not_done",
            "due_on": "2020-06-15",
            "done_on": "",
            "not_done_reason": "   ",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert str(ACTIVITY_REASON_REQUIRED) in page
    assert 'value="Intake bij Transfore geregeld"' in page
    assert 'value="J. de Behandelaar"' in page
    assert 'value="2020-06-15"' in page
    assert f'value="{organisation.pk}" selected' in page
    assert 'value="not_done" selected' in page
    activity.refresh_from_db()
    assert (activity.description, activity.status) == ("Intake Transfore", "planned")


def test_activity_not_done_with_reason_is_saved(client, almelo, casemanager_almelo):
    activity = ActivityFactory(
        goal__plan__stay__site=almelo, goal__plan__stay__person__site=almelo
    )
    client.force_login(casemanager_almelo)
    response = client.post(
        f"/trajectories/activities/{activity.pk}/edit/",
        {
            "description": activity.description,
            "status": "not_done",
            "not_done_reason": "Wachtlijst bij de zorgaanbieder",
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get(pk=activity.pk)
    assert activity.not_done_reason == "Wachtlijst bij de zorgaanbieder"


def test_goal_on_other_site_plan_is_not_found(
    client, almelo, krimpen, casemanager_almelo
):
    goal = GoalFactory(plan__stay__site=krimpen, plan__stay__person__site=krimpen)
    client.force_login(casemanager_almelo)
    assert (
        client.get(f"/trajectories/goals/{goal.pk}/activities/new/").status_code == 404
    )
    assert client.get(f"/trajectories/plans/{goal.plan_id}/").status_code == 404


def test_site_without_a_plan_form_gets_a_message_instead_of_an_error(
    client, almelo, casemanager_almelo
):
    from trajectories.services.plans import NO_PLAN_FORM

    stay = StayFactory(site=almelo, person=PersonFactory(site=almelo))
    client.force_login(casemanager_almelo)
    response = client.get(f"/trajectories/stays/{stay.pk}/plan/", follow=True)
    assert response.redirect_chain[-1][0] == f"/trajectories/stays/{stay.pk}/"
    assert str(NO_PLAN_FORM) in response.content.decode()

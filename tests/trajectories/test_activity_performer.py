"""Who did a plan activity: its responsible partner, unless another party of
the site took it over."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from partners.services import ORGANISATION_NOT_FOR_SITE
from tests.factories import GoalFactory, OrganisationFactory, SiteFactory
from trajectories.models import Activity
from trajectories.services import activity_create, activity_update

pytestmark = pytest.mark.django_db

DONE = {"status": "done", "done_on": datetime.date(2020, 6, 1)}


def test_an_activity_is_done_by_its_responsible_partner_unless_another_is_named():
    goal = GoalFactory()
    site = goal.plan.stay.site
    probation = OrganisationFactory(name="Reclassering A", sites=[site])
    kv = OrganisationFactory(name="PI A", sites=[site])
    activity = activity_create(
        goal=goal,
        data={"description": "Training", "responsible_organisation": probation, **DONE},
    )
    assert activity.performing_organisation == probation
    assert not activity.is_taken_over
    activity_update(activity=activity, data={"performing_organisation": kv})
    activity.refresh_from_db()
    assert activity.performing_organisation == kv
    assert activity.is_taken_over
    # emptied again: back to the responsible partner
    activity_update(activity=activity, data={"performing_organisation": None})
    activity.refresh_from_db()
    assert activity.performing_organisation == probation


def test_a_performer_of_another_site_is_refused():
    goal = GoalFactory()
    elsewhere = OrganisationFactory(name="Elders", sites=[SiteFactory(code="else")])
    with pytest.raises(ValidationError) as refused:
        activity_create(
            goal=goal,
            data={"description": "Training", "performing_organisation": elsewhere},
        )
    assert refused.value.message_dict["performing_organisation"] == [
        str(ORGANISATION_NOT_FOR_SITE)
    ]
    assert not Activity.objects.filter(goal=goal).exists()

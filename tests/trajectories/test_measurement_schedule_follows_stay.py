"""Placing and ending a stay keeps its measurement schedule in step."""

from __future__ import annotations

import datetime

import pytest

from evaluation.models import Measurement
from tests.factories import (
    CapacityPeriodFactory,
    PersonFactory,
    PlaceTypeFactory,
    catalogue_from_data,
)
from trajectories.services.stays import stay_create, stay_end

pytestmark = pytest.mark.django_db

D = datetime.date


def test_placement_plans_a_nulmeting_and_early_outflow_dates_the_eindmeting(
    almelo, casemanager_almelo, settings
):
    settings.KV_NAMETING_MONTHS = [6]
    catalogue_from_data(almelo)
    place_type = PlaceTypeFactory(site=almelo)
    CapacityPeriodFactory(place_type=place_type, places=5, valid_from=D(2020, 1, 1))
    stay = stay_create(
        person=PersonFactory(site=almelo),
        place_type=place_type,
        placed_on=D(2021, 3, 1),
        created_by=casemanager_almelo,
    )
    due = dict(Measurement.objects.filter(stay=stay).values_list("moment", "due_on"))
    assert due["nulmeting"] == D(2021, 3, 1)
    assert due["eindmeting"] is None

    stay_end(stay=stay, ended_on=D(2021, 4, 15), outflow_type="return_to_pi")

    due = dict(Measurement.objects.filter(stay=stay).values_list("moment", "due_on"))
    assert due["eindmeting"] == D(2021, 4, 15)
    assert due["nameting"] == D(2021, 10, 15)

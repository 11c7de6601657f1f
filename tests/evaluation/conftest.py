from __future__ import annotations

import datetime

import pytest

from evaluation.models import Measurement
from evaluation.services import schedule_sync_for_stay
from tests.factories import PersonFactory, StayFactory, catalogue_from_data


@pytest.fixture
def catalogue(almelo):
    return catalogue_from_data(almelo)


@pytest.fixture
def stay(almelo, catalogue):
    person = PersonFactory(
        site=almelo,
        first_name="Geheimvoornaam",
        last_name="Geheimachternaam",
        date_of_birth=datetime.date(1984, 7, 14),
        dji_number="DJI777",
    )
    stay = StayFactory(site=almelo, person=person, placed_on=datetime.date(2021, 3, 1))
    schedule_sync_for_stay(stay=stay, today=datetime.date(2021, 3, 1))
    return stay


@pytest.fixture
def nulmeting(stay) -> Measurement:
    return Measurement.objects.get(stay=stay, moment="nulmeting")

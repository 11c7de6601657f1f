from __future__ import annotations

import datetime

import pytest

from core.reference import sites_load
from intake.reference import intake_processes_load
from tests.factories import PersonFactory
from tests.factories.intake import simple_process


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def reference(db):
    """The five real sites and their intake processes from fixtures/reference."""
    sites = {site.code: site for site in sites_load()}
    intake_processes_load()
    return sites


@pytest.fixture
def almelo_process(almelo):
    from tests.factories import (
        CapacityPeriodFactory,
        PlaceTypeFactory,
        SiteStatusPeriodFactory,
    )

    SiteStatusPeriodFactory(site=almelo, start=datetime.date(2019, 1, 1))
    CapacityPeriodFactory(place_type=PlaceTypeFactory(site=almelo), places=1)
    return simple_process(almelo)


@pytest.fixture
def candidate(almelo):
    return PersonFactory(site=almelo, first_name="Jan", last_name="Kandidaat")

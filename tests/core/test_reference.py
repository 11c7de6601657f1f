from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command

from core.models import CapacityPeriod, CriterionKind, Site, SiteStatus
from core.reference import sites_load


@pytest.fixture
def sites(db):
    sites_load()
    return {site.code: site for site in Site.objects.all()}


def test_the_five_sites_are_loaded_with_aliases(sites):
    assert set(sites) == {"almelo", "amsterdam", "krimpen", "middelburg", "rotterdam"}
    assert sites["almelo"].alias == "Huis van Herstel"
    assert sites["amsterdam"].alias == "PI-BW"
    assert sites["krimpen"].alias == "De Compagnie II"


def test_status_over_time_follows_the_report(sites):
    assert sites["amsterdam"].status_on(datetime.date(2021, 6, 1)).status == (
        SiteStatus.NOT_REALISED
    )
    assert sites["rotterdam"].status_on(datetime.date(2020, 1, 15)).status == (
        SiteStatus.OPEN
    )
    assert sites["rotterdam"].status_on(datetime.date(2020, 12, 1)).status == (
        SiteStatus.CLOSED
    )
    assert sites["middelburg"].status_on(datetime.date(2020, 5, 1)).status == (
        SiteStatus.INTAKE_FROZEN
    )


def test_capacity_is_a_time_series_per_place_type(sites):
    krimpen = CapacityPeriod.objects.filter(
        place_type__site=sites["krimpen"], planned=False
    )
    by_type = {(c.place_type.code, c.valid_from.year): c.places for c in krimpen}
    assert 14 in by_type.values()
    assert 16 in by_type.values()
    almelo = CapacityPeriod.objects.filter(place_type__site=sites["almelo"])
    assert sorted((c.planned, c.places) for c in almelo) == [(False, 20), (True, 29)]


def test_krimpen_criteria_changed_for_dc_iia(sites):
    krimpen = sites["krimpen"]
    assert krimpen.criteria_version_on(datetime.date(2019, 6, 1)).version == 1
    assert krimpen.criteria_version_on(datetime.date(2020, 6, 1)).version == 2


def test_every_site_has_inclusion_criteria(sites):
    for site in sites.values():
        version = site.criteria_versions.first()
        assert version.criteria.filter(kind=CriterionKind.INCLUSION).exists(), site


def test_loading_twice_changes_nothing(sites):
    counts = (Site.objects.count(), CapacityPeriod.objects.count())
    call_command("load_reference")
    assert (Site.objects.count(), CapacityPeriod.objects.count()) == counts

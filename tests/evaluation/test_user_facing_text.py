"""Report references belong on the catalogue page, not on the data-entry form;
file names and source paths are never shown as if they were content."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from core.scoping import Role
from evaluation.catalogue import load_catalogues
from evaluation.derived import source_label
from evaluation.models import Item, Measurement, Topic
from evaluation.services import schedule_sync_for_stay
from tests.factories import (
    PersonFactory,
    SiteFactory,
    StayFactory,
    catalogue_from_data,
    small_catalogue_data,
    user_with_role,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(almelo):
    data = small_catalogue_data(almelo.code, prefix=f"t{almelo.pk}")
    data["topics"][0]["report_lines"] = "5408-5479"
    return catalogue_from_data(almelo, data)


@pytest.fixture
def stay(almelo, catalogue):
    person = PersonFactory(site=almelo, date_of_birth=datetime.date(1984, 7, 14))
    stay = StayFactory(site=almelo, person=person, placed_on=datetime.date(2021, 3, 1))
    schedule_sync_for_stay(stay=stay, today=datetime.date(2021, 3, 1))
    return stay


def test_catalogue_page_shows_report_lines_but_no_file_name(
    client, researcher_almelo, catalogue
):
    assert catalogue.source_file == "almelo.yaml"
    client.force_login(researcher_almelo)
    body = client.get(reverse("evaluation:catalogue", args=["almelo"])).content.decode()
    assert "5408-5479" in body
    assert "almelo.yaml" not in body
    assert str(source_label("person.birth_year")) in body


def test_measurement_form_shows_where_a_value_is_registered_not_internal_paths(
    client, researcher_almelo, stay
):
    measurement = Measurement.objects.get(stay=stay, moment="nulmeting")
    client.force_login(researcher_almelo)
    body = client.get(
        reverse("evaluation:measurement_edit", args=[measurement.pk])
    ).content.decode()
    assert "1984" in body  # the registered birth year
    assert str(source_label("person.birth_year")) in body
    for internal in ("person.birth_year", "stay.placed_on", "5408-5479", ".yaml"):
        assert internal not in body


@pytest.mark.parametrize("site_code", ["almelo", "amsterdam", "rotterdam"])
def test_real_catalogue_forms_show_no_report_lines_paths_or_file_names(
    client, site_code
):
    site = SiteFactory(code=site_code)
    load_catalogues()
    stay = StayFactory(site=site, placed_on=datetime.date(2021, 3, 1))
    stay.ended_on = datetime.date(2021, 9, 1)
    stay.outflow_type = "end_of_sentence"
    stay.save()
    schedule_sync_for_stay(stay=stay, today=datetime.date(2021, 9, 1))
    report_lines = set(
        Topic.objects.filter(catalogue__site=site).values_list(
            "report_lines", flat=True
        )
    ) - {""}
    paths = set(
        Item.objects.filter(catalogue__site=site).values_list("derived_from", flat=True)
    ) - {""}
    assert report_lines
    client.force_login(user_with_role(Role.RESEARCHER, site, username="rita"))
    for measurement in Measurement.objects.filter(stay=stay).exclude(
        moment="tussenmeting", sequence__gt=1
    ):
        body = client.get(
            reverse("evaluation:measurement_edit", args=[measurement.pk])
        ).content.decode()
        assert 'id="measurement-form"' in body
        assert ".yaml" not in body
        for text in report_lines | paths:
            assert text not in body, (measurement.label, text)

"""One measurement reads the same in the schedule lists, the completeness grid
and on its own form: where it stands, and how many items were answered."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from evaluation.models import TIMING_HELP, Measurement, MeasurementStatus, Timing
from evaluation.services import AnswerInput, items_for, measurement_save
from tests.factories import StayFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_nulmeting(almelo, catalogue):
    """A nulmeting of 2021 with three of its five items filled in (the two
    derived ones are stored only through the form), never completed."""
    from evaluation.services import schedule_sync_for_stay

    stay = StayFactory(site=almelo, placed_on=datetime.date(2021, 1, 4))
    schedule_sync_for_stay(stay=stay, today=datetime.date(2021, 1, 4))
    measurement = Measurement.objects.get(stay=stay, moment="nulmeting")
    asked = [
        item
        for item in items_for(measurement.catalogue, "nulmeting")
        if not item.derived_from
    ]
    measurement_save(
        measurement=measurement,
        answers={item: AnswerInput(value="x") for item in asked},
        expected_version=measurement.version,
        user=None,
    )
    return measurement


def _section(body: str, key: str) -> str:
    match = re.search(rf'<section id="list-{key}">(.*?)</section>', body, re.S)
    assert match, key
    return match.group(1)


def test_schedule_list_rows_show_items_answered_not_a_contradicting_status(
    client, researcher_almelo, closed_nulmeting
):
    client.force_login(researcher_almelo)
    body = client.get(reverse("evaluation:schedule", args=["almelo"])).content.decode()

    section = _section(body, Timing.INCOMPLETE)
    assert f'data-measurement="{closed_nulmeting.pk}"' in section
    assert str(Timing.INCOMPLETE.label).capitalize() in section
    assert str(TIMING_HELP[Timing.INCOMPLETE]) in section
    # the stored status ("in progress") is not repeated next to the list
    assert re.search(r'class="num answered">\s*3 / 5\s*<', section)
    assert str(MeasurementStatus.IN_PROGRESS.label) not in section
    missed = _section(body, Timing.MISSED)
    assert str(MeasurementStatus.PLANNED.label) not in missed


def test_grid_cell_and_form_use_the_same_wording_as_the_schedule(
    client, researcher_almelo, closed_nulmeting
):
    client.force_login(researcher_almelo)
    grid = client.get(
        reverse("evaluation:completeness", args=["almelo"])
    ).content.decode()
    cell = re.search(r'<td class="status-incomplete"[^>]*>(.*?)</td>', grid, re.S)
    assert cell
    assert str(Timing.INCOMPLETE.label) in cell.group(1)
    assert "3/5" in cell.group(1)
    assert 'id="timing-legend"' in grid

    form = client.get(
        reverse("evaluation:measurement_edit", args=[closed_nulmeting.pk])
    ).content.decode()
    status = re.search(r'id="measurement-status"[^>]*>(.*?)</p>', form, re.S)
    assert str(Timing.INCOMPLETE.label).capitalize() in status.group(1)
    assert str(MeasurementStatus.IN_PROGRESS.label) not in status.group(1)


def test_every_timing_has_a_label_and_an_explanation():
    assert set(TIMING_HELP) == set(Timing)


def test_completeness_grid_scrolls_inside_its_own_box(
    client, project_leader_almelo, closed_nulmeting
):
    client.force_login(project_leader_almelo)
    body = client.get(
        reverse("evaluation:completeness", args=["almelo"])
    ).content.decode()
    assert re.search(
        r'<div class="grid-scroll"[^>]*>\s*<table class="table grid" '
        r'id="completeness-grid">',
        body,
    )
    assert "evaluation/evaluation.css" in body
    assert '<th class="pseudonym" scope="row">' in body
    # the Content Security Policy forbids inline styles
    assert " style=" not in body
    css = (Path(settings.BASE_DIR) / "static/evaluation/evaluation.css").read_text()
    assert re.search(r"\.grid-scroll\s*\{[^}]*overflow-x:\s*auto", css)
    assert re.search(r"\.pseudonym\s*\{[^}]*position:\s*sticky", css)

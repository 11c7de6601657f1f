"""History modelled as it happened (issue 14, item 4).

Krimpen: DC II ran on ZBBI places in an open regime from January 2019 until
1 May 2020; from May 2020 DC IIa is a closed regime on 28 closed places, with
no work outside the PI (report L3546-3557, L3586-3598). Amsterdam: the start
meeting in the PI-BW follows the placement by DIZ (L1249-1251), so it is kept
on the stay, and B4.2 ``ams_in_startgesprek`` reads it from there.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.scoping import Role
from evaluation.derived import derived_path_problem, resolve
from intake.models import IntakeStageDefinition
from intake.reference import intake_processes_load
from tests.factories import PersonFactory, StayFactory, user_with_role
from trajectories import selectors
from trajectories.models import (
    LegalTitle,
    ProgrammePhase,
    Regime,
    StayStep,
    StayStepDefinition,
)
from trajectories.services import (
    capacity_on,
    stay_create,
    stay_phase_change,
    stay_step_record,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def test_krimpen_phases_run_as_the_report_tells(reference):
    phases = {
        p.code: p
        for p in ProgrammePhase.objects.filter(site=reference["krimpen"]).order_by(
            "order"
        )
    }
    dc2, dc2a = phases["dc2"], phases["dc2a"]
    assert (dc2.valid_from, dc2.valid_to) == (D(2019, 1, 1), D(2020, 4, 30))
    assert (dc2.regime, dc2.outside_work, dc2.legal_title) == (
        Regime.OPEN,
        True,
        LegalTitle.ZBBI,
    )
    assert (dc2a.valid_from, dc2a.valid_to) == (D(2020, 5, 1), None)
    assert (dc2a.regime, dc2a.outside_work, dc2a.legal_title) == (
        Regime.CLOSED,
        False,
        LegalTitle.CLOSED_REGIME,
    )
    assert phases["dc1"].regime == Regime.CLOSED
    assert "3586" in dc2a.report_lines
    running = [p.code for p in phases.values() if p.runs_on(D(2020, 6, 1))]
    assert running == ["dc2a"]


def test_krimpen_zbbi_places_close_when_dc_iia_opens(reference):
    place_types = {pt.code: pt for pt in reference["krimpen"].place_types.all()}
    on_last_day = {
        code: capacity_on(place_type=pt, day=D(2020, 4, 30))
        for code, pt in place_types.items()
    }
    on_first_day = {
        code: capacity_on(place_type=pt, day=D(2020, 5, 1))
        for code, pt in place_types.items()
    }
    assert on_last_day == {"bbi": 14, "zbbi": 16, "gesloten": None}
    assert on_first_day == {"bbi": None, "zbbi": None, "gesloten": 28}


def test_a_dc_iia_stay_no_longer_defaults_to_zbbi(reference):
    krimpen = reference["krimpen"]
    closed = krimpen.place_types.get(code="gesloten")
    stay = stay_create(
        person=PersonFactory(site=krimpen),
        place_type=closed,
        placed_on=D(2020, 6, 1),
        created_by=None,
    )
    assert stay.legal_title == LegalTitle.CLOSED_REGIME
    assert stay.phases.get().phase.code == "dc2a"
    zbbi = stay_create(
        person=PersonFactory(site=krimpen),
        place_type=krimpen.place_types.get(code="zbbi"),
        placed_on=D(2019, 6, 1),
        created_by=None,
    )
    assert zbbi.legal_title == LegalTitle.ZBBI
    assert zbbi.phases.get().phase.code == "dc2"


def test_moving_to_dc_iia_changes_the_legal_title_from_that_day(reference):
    krimpen = reference["krimpen"]
    stay = stay_create(
        person=PersonFactory(site=krimpen),
        place_type=krimpen.place_types.get(code="zbbi"),
        placed_on=D(2020, 2, 3),
        created_by=None,
    )
    dc2 = ProgrammePhase.objects.get(site=krimpen, code="dc2")
    dc2a = ProgrammePhase.objects.get(site=krimpen, code="dc2a")
    closed = krimpen.place_types.get(code="gesloten")
    with pytest.raises(ValidationError) as error:
        stay_phase_change(
            stay=stay,
            phase=dc2a,
            place_type=closed,
            started_on=D(2020, 4, 20),
            changed_by=None,
        )
    assert "phase" in error.value.message_dict
    stay_phase_change(
        stay=stay,
        phase=dc2a,
        place_type=closed,
        started_on=D(2020, 5, 1),
        changed_by=None,
    )
    stay.refresh_from_db()
    assert stay.legal_title == LegalTitle.CLOSED_REGIME
    titles = list(
        stay.history.order_by("history_id").values_list("legal_title", flat=True)
    )
    assert titles[0] == LegalTitle.ZBBI
    assert titles[-1] == LegalTitle.CLOSED_REGIME
    with pytest.raises(ValidationError):
        stay_phase_change(
            stay=stay,
            phase=dc2,
            place_type=krimpen.place_types.get(code="zbbi"),
            started_on=D(2020, 6, 1),
            changed_by=None,
            capacity_override_reason="terug naar DC II",
        )


def test_amsterdam_start_meeting_belongs_to_the_stay(reference):
    intake_processes_load()
    amsterdam = reference["amsterdam"]
    assert not IntakeStageDefinition.objects.filter(
        process__site=amsterdam, code="start_meeting"
    ).exists()
    step = StayStepDefinition.objects.get(site=amsterdam, code="start_meeting")
    assert step.name == "Startgesprek in de PI-BW"
    assert step.report_lines == "1249-1251"
    catalogue = Path(settings.BASE_DIR) / "fixtures/reference/indicators/amsterdam.yaml"
    items = [
        item
        for topic in yaml.safe_load(catalogue.read_text(encoding="utf-8"))["topics"]
        for item in topic["items"]
    ]
    start = next(i for i in items if i["var"] == "ams_in_startgesprek")
    assert start["derived_from"] == "stay_step.start_meeting"
    assert derived_path_problem(start["derived_from"]) == ""


def test_start_meeting_is_recorded_after_placement_and_derived(reference):
    amsterdam = reference["amsterdam"]
    definition = StayStepDefinition.objects.get(site=amsterdam, code="start_meeting")
    stay = StayFactory(
        site=amsterdam,
        place_type=amsterdam.place_types.get(code="gedetineerde"),
        placed_on=D(2020, 2, 24),
    )
    assert resolve("stay_step.start_meeting", stay) is None
    with pytest.raises(ValidationError) as error:
        stay_step_record(
            stay=stay, definition=definition, occurred_on=D(2020, 2, 20), actor=None
        )
    assert "occurred_on" in error.value.message_dict
    stay_step_record(
        stay=stay, definition=definition, occurred_on=D(2020, 2, 25), actor=None
    )
    assert resolve("stay_step.start_meeting", stay).value is True
    with pytest.raises(ValidationError) as error:
        stay_step_record(
            stay=stay, definition=definition, occurred_on=D(2020, 2, 26), actor=None
        )
    assert error.value.code == "step_recorded"
    other = StayFactory(site=reference["almelo"], placed_on=D(2021, 3, 1))
    with pytest.raises(ValidationError):
        stay_step_record(
            stay=other, definition=definition, occurred_on=D(2021, 3, 2), actor=None
        )


def test_stay_page_and_worklist_show_the_step_to_take(client, reference):
    amsterdam = reference["amsterdam"]
    stay = StayFactory(
        site=amsterdam,
        person=PersonFactory(site=amsterdam, last_name="Startgesprek"),
        place_type=amsterdam.place_types.get(code="gedetineerde"),
        placed_on=D(2020, 2, 24),
    )
    user = user_with_role(Role.CASEMANAGER, amsterdam)
    client.force_login(user)
    assert [t.stay for t in selectors.stay_steps_to_do(user=user)] == [stay]
    page = client.get(stay.get_absolute_url()).content.decode()
    assert 'data-step="start_meeting"' in page
    worklist = client.get(reverse("trajectories:worklist")).content.decode()
    assert "Startgesprek in de PI-BW" in worklist
    url = reverse("trajectories:stay_step_create", args=[stay.pk])
    definition = StayStepDefinition.objects.get(site=amsterdam)
    response = client.post(
        url, {"definition": definition.pk, "occurred_on": "2020-02-26"}
    )
    assert response.status_code == 302
    assert StayStep.objects.get(stay=stay).occurred_on == D(2020, 2, 26)
    assert selectors.stay_steps_to_do(user=user) == []
    # once recorded, the step is no longer offered
    form_page = client.get(url)
    assert list(form_page.context["form"].fields["definition"].queryset) == []

from __future__ import annotations

import copy
import datetime

import pytest
from django.core.exceptions import ValidationError

from intake.models import IntakeProcessVersion, IntakeStageDefinition, StageKind
from intake.reference import intake_processes_load, load_stages_file
from intake.services import case_open
from tests.factories import PersonFactory


def _stages(site: str, version: int) -> dict[str, IntakeStageDefinition]:
    process = IntakeProcessVersion.objects.get(site__code=site, version=version)
    return {stage.code: stage for stage in process.stages.all()}


def _path(stages: dict[str, IntakeStageDefinition], start: str, goal: str) -> bool:
    """Whether ``goal`` (transitively) requires ``start``."""
    todo = list(stages[goal].requires)
    while todo:
        code = todo.pop()
        if code == start:
            return True
        todo.extend(stages[code].requires)
    return False


def test_loading_the_pipelines_twice_changes_nothing(reference):
    counts = IntakeStageDefinition.objects.count(), IntakeProcessVersion.objects.count()
    intake_processes_load()
    assert (
        IntakeStageDefinition.objects.count(),
        IntakeProcessVersion.objects.count(),
    ) == counts
    assert counts[1] == 8


def test_almelo_letter_may_come_before_or_after_the_intake_interview(reference):
    stages = _stages("almelo", 1)
    assert not _path(stages, "motivation_letter", "intake_interview")
    assert not _path(stages, "intake_interview", "motivation_letter")
    assert {"motivation_letter", "intake_interview"} <= set(
        stages["weegtafel"].requires
    )


def test_almelo_pi_transfer_procedure_runs_alongside_the_hvh_stages(reference):
    stages = _stages("almelo", 2)
    assert stages["pi_transfer_procedure"].parallel is True
    assert not _path(stages, "dossier_mdo", "pi_transfer_procedure")
    assert "pi_transfer_procedure" in stages["diz_decision"].requires
    assert stages["diz_decision"].kind == StageKind.DECISION
    assert "DIZ" in stages["diz_decision"].performer_organisation


def test_almelo_practice_added_waiting_list_and_victim_consent(reference):
    plan, practice = _stages("almelo", 1), _stages("almelo", 2)
    assert "dossier_waitlist" not in plan
    assert "victim_consent" not in plan
    assert practice["dossier_waitlist"].practice_addition
    assert practice["victim_consent"].practice_addition
    assert practice["dossier_waitlist"].kind == StageKind.WAITLIST


def test_middelburg_prescan_asks_four_partners_and_v2_hands_back_to_diz(reference):
    v1, v2 = (
        IntakeProcessVersion.objects.get(site__code="middelburg", version=n)
        for n in (1, 2)
    )
    prescan = v2.stages.get(kind=StageKind.PRESCAN)
    assert prescan.prescan_partners == [
        "om",
        "police",
        "reclassering",
        "veiligheidshuis",
    ]
    assert v1.hand_back_to == ""
    assert "DIZ" in v2.hand_back_to
    start = v2.stages.get(code="start_signal")
    assert (start.due_anchor, start.due_offset_days) == ("report_date", -42)


def test_krimpen_dc2a_adds_a_six_week_trial_before_the_decision(reference):
    dc2, dc2a = _stages("krimpen", 1), _stages("krimpen", 2)
    assert "trial_period" not in dc2
    assert dc2a["trial_period"].due_offset_days == 42
    assert dc2a["mdo_decision"].requires == ["trial_period"]


def test_rotterdam_decision_is_the_investigating_judges(reference):
    stages = _stages("rotterdam", 1)
    assert stages["rc_decision"].kind == StageKind.DECISION
    assert stages["rc_decision"].performer_role == "rechter-commissaris"


def test_a_cycle_in_the_stage_prerequisites_is_refused(reference):
    data = copy.deepcopy(load_stages_file())
    rotterdam = next(p for p in data["processes"] if p["site"] == "rotterdam")
    rotterdam["stages"][0]["requires"] = ["rc_decision"]
    with pytest.raises(ValidationError, match="cycle"):
        intake_processes_load(data=data)


def test_old_cases_keep_the_process_version_they_started_with(reference):
    almelo = reference["almelo"]
    person = PersonFactory(site=almelo)
    case = case_open(
        site=almelo,
        person=person,
        opened_on=datetime.date(2021, 1, 15),
        entry_route=None,
        created_by=None,
    )
    data = copy.deepcopy(load_stages_file())
    new = copy.deepcopy(
        next(
            p for p in data["processes"] if p["site"] == "almelo" and p["version"] == 2
        )
    )
    new["version"], new["valid_from"] = 3, datetime.date(2022, 1, 1)
    data["processes"].append(new)
    intake_processes_load(data=data)
    case.refresh_from_db()
    assert case.process.version == 1
    later = case_open(
        site=almelo,
        person=PersonFactory(site=almelo),
        opened_on=datetime.date(2022, 2, 1),
        entry_route=None,
        created_by=None,
    )
    assert later.process.version == 3

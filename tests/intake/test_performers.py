"""Who did the work of an intake stage: the organisation the stage is agreed
to (fixtures/reference/intake_stages.yaml), unless the casemanager names
another party of the site."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from intake.models import (
    IntakeProcessVersion,
    PrescanAnswer,
    StageEvent,
    StageKind,
    StageOutcome,
)
from intake.reference import default_performers_backfill, load_stages_file
from intake.services import prescan_answer_record, stage_event_record
from partners.models import Organisation
from partners.reference import partners_load
from tests.factories import IntakeCaseFactory, user_with_role
from tests.factories.partners import OrganisationFactory

DAY = datetime.timedelta(days=1)


def _file_processes() -> list[dict]:
    return load_stages_file()["processes"]


def _walk_with_defaults(process: IntakeProcessVersion) -> None:
    """Record every stage of a case of ``process`` without naming who did it."""
    case = IntakeCaseFactory(
        site=process.site, process=process, opened_on=process.valid_from
    )
    day = process.valid_from
    for stage in process.stages.order_by("order"):
        day += DAY
        if stage.kind == StageKind.PRESCAN:
            for partner in stage.prescan_partners:
                prescan_answer_record(
                    case=case, partner=partner, asked_on=day, answered_on=day,
                    objection=False, actor=None,
                )  # fmt: skip
            continue
        outcome = (
            StageOutcome.NEGATIVE
            if stage.kind == StageKind.DECISION
            else StageOutcome.POSITIVE
            if "positive" in stage.outcomes
            else StageOutcome.COMPLETED
        )
        stage_event_record(
            case=case, stage=stage, occurred_on=day, outcome=outcome, actor=None
        )


def test_every_stage_of_every_site_names_an_organisation_of_that_site(reference):
    for entry in _file_processes():
        for stage in entry["stages"]:
            label = (entry["site"], entry["version"], stage["code"])
            assert stage.get("performer"), label
            organisation = Organisation.objects.get(name=stage["performer"])
            codes = set(organisation.sites.values_list("code", flat=True))
            assert not codes or entry["site"] in codes, label
            if stage["kind"] == StageKind.PRESCAN:
                assert set(stage["prescan_performers"]) == set(
                    stage["prescan_partners"]
                ), label


@pytest.mark.parametrize(
    "site_code", ["almelo", "amsterdam", "krimpen", "middelburg", "rotterdam"]
)
def test_every_stage_event_defaults_to_the_stages_agreed_organisation(
    reference, site_code
):
    file = {
        (entry["version"], stage["code"]): stage
        for entry in _file_processes()
        if entry["site"] == site_code
        for stage in entry["stages"]
    }
    processes = IntakeProcessVersion.objects.filter(site__code=site_code)
    assert processes.exists()
    for process in processes:
        _walk_with_defaults(process)
    events = StageEvent.objects.filter(case__site__code=site_code).select_related(
        "stage__process", "performing_organisation", "agreed_organisation"
    )
    assert {(e.stage.process.version, e.stage.code) for e in events} == set(file)
    for event in events:
        expected = file[(event.stage.process.version, event.stage.code)]["performer"]
        assert event.performing_organisation.name == expected
        assert event.agreed_organisation.name == expected
        assert not event.is_taken_over
    for answer in PrescanAnswer.objects.filter(case__site__code=site_code):
        stage = file[(answer.case.process.version, "prescan")]
        expected = stage["prescan_performers"][answer.partner]
        assert answer.performing_organisation.name == expected
        assert answer.agreed_organisation.name == expected


def _middelburg_case():
    process = IntakeProcessVersion.objects.get(site__code="middelburg", version=2)
    case = IntakeCaseFactory(
        site=process.site, process=process, opened_on=process.valid_from
    )
    return process, case


def test_another_party_of_the_site_may_have_done_the_work(reference):
    process, case = _middelburg_case()
    pi = Organisation.objects.get(name="PI Middelburg")
    stage_event_record(
        case=case,
        stage=process.stages.get(code="start_signal"),
        occurred_on=process.valid_from,
        outcome=StageOutcome.COMPLETED,
        actor=None,
    )
    answer = prescan_answer_record(
        case=case,
        partner="reclassering",
        asked_on=process.valid_from,
        answered_on=process.valid_from,
        objection=False,
        actor=None,
        performing_organisation=pi,
    )
    assert answer.agreed_organisation.name == "Reclassering Nederland"
    assert answer.performing_organisation == pi
    assert answer.is_taken_over


def test_an_organisation_of_another_site_is_refused(reference):
    process, case = _middelburg_case()
    almelo_only = Organisation.objects.get(name="PI Almelo")
    start = process.stages.get(code="start_signal")
    with pytest.raises(ValidationError) as refused:
        stage_event_record(
            case=case,
            stage=start,
            occurred_on=process.valid_from,
            outcome=StageOutcome.COMPLETED,
            actor=None,
            performing_organisation=almelo_only,
        )
    assert "performing_organisation" in refused.value.message_dict
    assert not StageEvent.objects.filter(case=case).exists()


def test_records_made_before_the_stages_had_an_organisation_get_it(reference):
    process, case = _middelburg_case()
    start = process.stages.get(code="start_signal")
    event = stage_event_record(
        case=case,
        stage=start,
        occurred_on=process.valid_from,
        outcome=StageOutcome.COMPLETED,
        actor=None,
    )
    StageEvent.objects.filter(pk=event.pk).update(
        agreed_organisation=None, performing_organisation=None
    )
    from intake.models import IntakeStageDefinition

    default_performers_backfill(
        stage_model=IntakeStageDefinition,
        event_model=StageEvent,
        prescan_model=PrescanAnswer,
        organisation_model=Organisation,
    )
    event.refresh_from_db()
    assert event.performing_organisation.name == "DJI - Divisie Individuele Zaken (DIZ)"
    assert event.agreed_organisation == event.performing_organisation


def test_the_case_page_offers_only_the_sites_organisations(reference, client):
    from core.scoping import Role

    process, case = _middelburg_case()
    user = user_with_role(Role.CASEMANAGER, process.site, username="mia")
    OrganisationFactory(name="Elders", sites=[reference["almelo"]])
    client.force_login(user)
    page = client.get(reverse("intake:case_detail", args=[case.pk])).content.decode()
    pi = Organisation.objects.get(name="PI Middelburg")
    select = page.split('name="performing_organisation"')[1].split("</select>")[0]
    assert f'value="{pi.pk}"' in select
    assert "de organisatie waaraan de fase is toebedeeld" in select
    assert "Elders" not in page


def test_loading_partners_first_or_later_gives_the_same_performers(reference):
    partners_load()
    from intake.reference import intake_processes_load

    intake_processes_load()
    stage = IntakeProcessVersion.objects.get(
        site__code="rotterdam", version=1
    ).stages.get(code="rc_decision")
    assert stage.performer.name == "Rechter-commissaris (RC)"

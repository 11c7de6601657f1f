from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import models

from core.models import AuditEvent, AuditKind
from intake import services
from intake.models import (
    CaseEndReason,
    CheckResult,
    IntakeCase,
    IntakeOutcome,
    PrescanAnswer,
    StageEvent,
    StageKind,
    StageOutcome,
)
from tests.factories import (
    CriterionFactory,
    IntakeStageFactory,
    OrganisationFactory,
    PersonFactory,
)
from trajectories.models import Stay

D = datetime.date
MARCH_2 = D(2020, 3, 2)
MARCH_5 = D(2020, 3, 5)


def _open(process, person, day=MARCH_2) -> IntakeCase:
    return services.case_open(
        site=person.site,
        person=person,
        opened_on=day,
        entry_route=process.entry_routes.get(code="referral"),
        created_by=None,
        referring_person="Mw. Verwijzer",
    )


def _stage(case, code):
    return case.process.stages.get(code=code)


def _record(case, code, outcome=StageOutcome.POSITIVE, day=MARCH_5, user=None):
    return services.stage_event_record(
        case=case,
        stage=_stage(case, code),
        occurred_on=day,
        outcome=outcome,
        actor=user,
    )


def test_stage_before_its_prerequisites_is_refused(almelo_process, candidate):
    case = _open(almelo_process, candidate)
    with pytest.raises(ValidationError) as error:
        _record(case, "interview")
    assert error.value.code == "prerequisites_missing"
    assert "Stap screening" in error.value.messages[0]
    assert not StageEvent.objects.exists()


def test_letter_and_interview_may_be_recorded_in_either_order(
    almelo_process, candidate
):
    case = _open(almelo_process, candidate)
    _record(case, "screening", day=D(2020, 3, 3))
    _record(case, "interview", day=D(2020, 3, 10))
    _record(case, "letter", StageOutcome.COMPLETED, day=D(2020, 3, 20))
    assert case.events.count() == 3


def test_stage_after_a_negative_prerequisite_is_refused(almelo_process, candidate):
    case = _open(almelo_process, candidate)
    _record(case, "screening", StageOutcome.NEGATIVE)
    with pytest.raises(ValidationError, match="kan pas worden vastgelegd als"):
        _record(case, "interview")


def test_a_stage_cannot_be_recorded_twice(almelo_process, candidate):
    case = _open(almelo_process, candidate)
    _record(case, "screening")
    with pytest.raises(ValidationError) as error:
        _record(case, "screening")
    assert error.value.messages == [str(services.STAGE_ALREADY_RECORDED)]


def test_outcome_outside_the_stage_definition_is_refused(almelo_process, candidate):
    case = _open(almelo_process, candidate)
    _record(case, "screening")
    with pytest.raises(ValidationError) as error:
        _record(case, "letter", StageOutcome.POSITIVE)
    assert error.value.code == "outcome_not_allowed"


def test_nothing_can_be_recorded_on_a_closed_case(almelo_process, candidate):
    case = _open(almelo_process, candidate)
    services.case_close(
        case=case, outcome=IntakeOutcome.WITHDRAWN, closed_on=D(2020, 3, 4), actor=None
    )
    with pytest.raises(ValidationError) as error:
        _record(case, "screening")
    assert error.value.messages == [str(services.CASE_CLOSED)]


def test_positive_decision_only_through_the_placement(almelo_process, candidate):
    case = _open(almelo_process, candidate)
    with pytest.raises(ValidationError) as error:
        _record(case, "decision", StageOutcome.POSITIVE)
    assert error.value.messages == [str(services.DECISION_NEEDS_PLACEMENT)]


def test_second_open_case_for_the_same_person_is_refused(almelo_process, candidate):
    _open(almelo_process, candidate)
    with pytest.raises(ValidationError) as error:
        _open(almelo_process, candidate, day=D(2020, 4, 1))
    assert error.value.messages == [str(services.OPEN_CASE_EXISTS)]


def test_hand_back_is_refused_where_the_process_has_none(almelo_process, candidate):
    case = _open(almelo_process, candidate)
    with pytest.raises(ValidationError) as error:
        services.case_close(
            case=case,
            outcome=IntakeOutcome.HANDED_BACK,
            closed_on=D(2020, 3, 4),
            actor=None,
        )
    assert error.value.messages == [str(services.HAND_BACK_NOT_IN_PROCESS)]


def test_rejection_needs_a_reason_and_names_the_failed_criterion(
    almelo_process, candidate
):
    criterion = CriterionFactory(version__site=candidate.site, version__version=1)
    case = _open(almelo_process, candidate)
    assert case.criteria_version == criterion.version
    with pytest.raises(ValidationError, match="ten minste één reden"):
        services.case_close(
            case=case,
            outcome=IntakeOutcome.REJECTED,
            closed_on=D(2020, 3, 4),
            actor=None,
        )
    with pytest.raises(ValidationError) as error:
        services.case_close(
            case=case,
            outcome=IntakeOutcome.REJECTED,
            closed_on=D(2020, 3, 4),
            actor=None,
            reasons=[services.EndReasonInput(code="criterion_not_met")],
        )
    assert error.value.messages == [str(services.REASON_NEEDS_CRITERION)]
    services.case_close(
        case=case,
        outcome=IntakeOutcome.REJECTED,
        closed_on=D(2020, 3, 4),
        actor=None,
        reasons=[
            services.EndReasonInput(code="criterion_not_met", criterion=criterion)
        ],
    )
    reason = CaseEndReason.objects.get(case=case)
    assert reason.criterion == criterion
    case.refresh_from_db()
    assert case.outcome == IntakeOutcome.REJECTED


def test_exception_on_a_criterion_needs_a_reason(almelo_process, candidate):
    criterion = CriterionFactory(version__site=candidate.site, hard=False)
    case = _open(almelo_process, candidate)
    with pytest.raises(ValidationError) as error:
        services.criterion_check_record(
            case=case,
            criterion=criterion,
            result=CheckResult.EXCEPTION,
            checked_on=D(2020, 3, 3),
            actor=None,
        )
    assert error.value.message_dict["exception_reason"] == [
        str(services.EXCEPTION_NEEDS_REASON)
    ]
    check = services.criterion_check_record(
        case=case,
        criterion=criterion,
        result=CheckResult.EXCEPTION,
        exception_reason="strafverwachting net boven de grens",
        checked_on=D(2020, 3, 3),
        actor=None,
    )
    assert check.exception_reason == "strafverwachting net boven de grens"


def _ready_for_decision(case):
    _record(case, "screening", day=D(2020, 3, 3))
    _record(case, "letter", StageOutcome.COMPLETED, day=D(2020, 3, 4))
    _record(case, "interview", day=D(2020, 3, 5))


def test_placement_creates_the_stay_and_closes_the_case(almelo_process, candidate):
    case = _open(almelo_process, candidate)
    _ready_for_decision(case)
    place_type = candidate.site.place_types.get()
    stay = services.case_place(
        case=case,
        decided_on=D(2020, 3, 10),
        place_type=place_type,
        placed_on=D(2020, 3, 12),
        actor=None,
    )
    case.refresh_from_db()
    assert (case.outcome, case.closed_on) == (IntakeOutcome.PLACED, D(2020, 3, 10))
    assert stay.intake_case == case
    assert stay.placed_on == D(2020, 3, 12)
    assert case.events.get(stage__code="decision").outcome == StageOutcome.POSITIVE


def test_placement_on_a_full_place_type_writes_nothing(almelo_process, candidate):
    place_type = candidate.site.place_types.get()  # one place
    first = _open(almelo_process, PersonFactory(site=candidate.site))
    _ready_for_decision(first)
    services.case_place(
        case=first,
        decided_on=D(2020, 3, 10),
        place_type=place_type,
        placed_on=D(2020, 3, 10),
        actor=None,
    )
    case = _open(almelo_process, candidate)
    _ready_for_decision(case)
    with pytest.raises(ValidationError) as error:
        services.case_place(
            case=case,
            decided_on=D(2020, 3, 11),
            place_type=place_type,
            placed_on=D(2020, 3, 11),
            actor=None,
        )
    assert error.value.code == "capacity_full"
    case.refresh_from_db()
    assert case.outcome == IntakeOutcome.OPEN
    assert not case.events.filter(stage__code="decision").exists()
    assert Stay.objects.count() == 1


def test_placement_above_capacity_with_a_reason_is_audited(
    almelo_process, candidate, casemanager_almelo
):
    place_type = candidate.site.place_types.get()
    first = _open(almelo_process, PersonFactory(site=candidate.site))
    _ready_for_decision(first)
    services.case_place(
        case=first,
        decided_on=D(2020, 3, 10),
        place_type=place_type,
        placed_on=D(2020, 3, 10),
        actor=None,
    )
    case = _open(almelo_process, candidate)
    _ready_for_decision(case)
    services.case_place(
        case=case,
        decided_on=D(2020, 3, 11),
        place_type=place_type,
        placed_on=D(2020, 3, 11),
        actor=casemanager_almelo,
        capacity_override_reason="Uitstroom volgende week",
    )
    event = AuditEvent.objects.get(kind=AuditKind.OVERRIDE)
    assert event.details["reason"] == "Uitstroom volgende week"


def test_placement_with_a_criterion_not_met_is_refused(almelo_process, candidate):
    criterion = CriterionFactory(
        version__site=candidate.site, code="regio", text="Afkomstig uit de regio."
    )
    case = _open(almelo_process, candidate)
    _ready_for_decision(case)
    services.criterion_check_record(
        case=case,
        criterion=criterion,
        result=CheckResult.NOT_MET,
        checked_on=D(2020, 3, 3),
        actor=None,
    )
    with pytest.raises(ValidationError, match="Afkomstig uit de regio"):
        services.case_place(
            case=case,
            decided_on=D(2020, 3, 10),
            place_type=candidate.site.place_types.get(),
            placed_on=D(2020, 3, 10),
            actor=None,
        )


def test_negative_optional_stage_rules_out_the_placement(almelo_process, candidate):
    # Like Almelo's victim consent: no prerequisite of the decision, but a
    # refusal there must not end in a placement.
    IntakeStageFactory(
        process=almelo_process,
        code="victim_consent",
        name="Akkoord slachtoffer",
        order=5,
        kind=StageKind.CONSENT,
        optional=True,
        requires=["screening"],
    )
    case = _open(almelo_process, candidate)
    _ready_for_decision(case)
    _record(case, "victim_consent", StageOutcome.NEGATIVE, day=D(2020, 3, 6))
    with pytest.raises(ValidationError) as error:
        services.case_place(
            case=case,
            decided_on=D(2020, 3, 10),
            place_type=candidate.site.place_types.get(),
            placed_on=D(2020, 3, 10),
            actor=None,
        )
    assert error.value.code == "negative_stage"
    assert "Akkoord slachtoffer" in error.value.messages[0]
    case.refresh_from_db()
    assert case.outcome == IntakeOutcome.OPEN
    assert not Stay.objects.exists()


def test_amsterdam_cannot_place_because_it_was_never_realised(reference):
    amsterdam = reference["amsterdam"]
    case = services.case_open(
        site=amsterdam,
        person=PersonFactory(site=amsterdam),
        opened_on=D(2020, 1, 6),
        entry_route=None,
        created_by=None,
    )
    for code in ("preparation", "screening_mdo", "weegcommissie"):
        _record(case, code, day=D(2020, 2, 3))
    with pytest.raises(ValidationError) as error:
        services.case_place(
            case=case,
            decided_on=D(2020, 3, 2),
            place_type=amsterdam.place_types.first(),
            placed_on=D(2020, 3, 2),
            actor=None,
        )
    assert error.value.code == "site_not_open"
    with pytest.raises(ValidationError) as error:
        services.case_open(
            site=amsterdam,
            person=PersonFactory(site=amsterdam),
            opened_on=D(2021, 6, 1),
            entry_route=None,
            created_by=None,
        )
    assert error.value.code == "site_not_receiving"


def test_middelburg_takes_no_call_ups_while_intake_is_frozen(reference):
    middelburg = reference["middelburg"]
    with pytest.raises(ValidationError) as error:
        services.case_open(
            site=middelburg,
            person=PersonFactory(site=middelburg),
            opened_on=D(2020, 5, 4),
            entry_route=None,
            created_by=None,
        )
    assert error.value.code == "site_not_receiving"


def test_prescan_stores_no_content(reference):
    text_fields = [
        f.name
        for f in PrescanAnswer._meta.get_fields()
        if isinstance(f, models.CharField | models.TextField | models.JSONField)
        and f.name != "partner"
    ]
    assert text_fields == []
    history_text = [
        f.name
        for f in PrescanAnswer.history.model._meta.get_fields()
        if isinstance(f, models.TextField | models.JSONField)
    ]
    assert history_text == []
    partner = PrescanAnswer._meta.get_field("partner")
    assert partner.choices
    assert partner.max_length <= 20


def test_one_objection_makes_the_prescan_negative_and_allows_hand_back(reference):
    middelburg = reference["middelburg"]
    case = services.case_open(
        site=middelburg,
        person=PersonFactory(site=middelburg),
        opened_on=D(2020, 9, 7),
        entry_route=None,
        created_by=None,
        report_date=D(2020, 11, 2),
    )
    _record(case, "start_signal", StageOutcome.COMPLETED, day=D(2020, 9, 7))
    for partner in ("om", "police", "reclassering"):
        services.prescan_answer_record(
            case=case,
            partner=partner,
            asked_on=D(2020, 9, 8),
            answered_on=D(2020, 9, 10),
            objection=partner == "police",
            actor=None,
        )
    assert not case.events.filter(stage__code="prescan").exists()
    services.prescan_answer_record(
        case=case,
        partner="veiligheidshuis",
        asked_on=D(2020, 9, 8),
        answered_on=D(2020, 9, 14),
        objection=False,
        actor=None,
    )
    event = case.events.get(stage__code="prescan")
    assert (event.outcome, event.occurred_on) == (StageOutcome.NEGATIVE, D(2020, 9, 14))
    services.case_close(
        case=case,
        outcome=IntakeOutcome.HANDED_BACK,
        closed_on=D(2020, 9, 15),
        actor=None,
        reasons=[
            services.EndReasonInput(code="prescan_objection", prescan_partner="police")
        ],
    )
    assert case.end_reasons.get().prescan_partner == "police"


def test_every_case_model_is_audited_per_person():
    from intake.models import (
        CaseDocument,
        CaseEndReason,
        CriterionCheck,
        IntakeCase,
        PrescanAnswer,
        StageEvent,
    )

    for model in (
        IntakeCase,
        StageEvent,
        PrescanAnswer,
        CaseDocument,
        CriterionCheck,
        CaseEndReason,
    ):
        assert hasattr(model, "history"), model
        assert model.person_lookup.endswith("person"), model


def test_saving_the_checklist_again_leaves_unchanged_lines_alone(
    almelo_process, candidate
):
    first = CriterionFactory(version__site=candidate.site, version__version=1)
    second = CriterionFactory(version=first.version, hard=False)
    case = _open(almelo_process, candidate)
    answers = [(first, CheckResult.MET, ""), (second, CheckResult.NOT_MET, "")]
    services.criteria_checklist_record(
        case=case, answers=answers, checked_on=D(2020, 3, 3), actor=None
    )
    answers[1] = (second, CheckResult.EXCEPTION, "maatwerk")
    saved = services.criteria_checklist_record(
        case=case, answers=answers, checked_on=D(2020, 3, 4), actor=None
    )
    assert [check.criterion for check in saved] == [second]
    assert case.criterion_checks.get(criterion=first).history.count() == 1


def test_a_case_from_before_the_pipelines_is_refused_clearly(almelo_process, candidate):
    from tests.factories import IntakeCaseFactory

    case = IntakeCaseFactory(site=candidate.site, person=candidate)
    with pytest.raises(ValidationError) as error:
        services.case_close(
            case=case,
            outcome=IntakeOutcome.HANDED_BACK,
            closed_on=D(2020, 3, 4),
            actor=None,
        )
    assert error.value.messages == [str(services.CASE_WITHOUT_PROCESS)]


def test_referring_organisation_of_another_site_is_refused(
    almelo_process, candidate, krimpen
):
    theirs = OrganisationFactory(name="Reclassering elders", sites=[krimpen])
    national = OrganisationFactory(name="DJI landelijk")  # no sites: everyone's
    with pytest.raises(ValidationError) as error:
        services.case_open(
            site=candidate.site,
            person=candidate,
            opened_on=MARCH_2,
            entry_route=almelo_process.entry_routes.get(code="referral"),
            created_by=None,
            referring_organisation=theirs,
        )
    assert "referring_organisation" in error.value.message_dict
    assert not IntakeCase.objects.exists()
    case = services.case_open(
        site=candidate.site,
        person=candidate,
        opened_on=MARCH_2,
        entry_route=almelo_process.entry_routes.get(code="referral"),
        created_by=None,
        referring_organisation=national,
    )
    with pytest.raises(ValidationError):
        services.case_update(
            case=case, data={"referring_organisation": theirs}, actor=None
        )
    case.refresh_from_db()
    assert case.referring_organisation == national

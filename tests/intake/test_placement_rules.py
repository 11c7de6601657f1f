"""Placement checks the whole rule set of the case's criteria version and site,
and a consent given in the intake is the consent record (issue 14, items 1-2).

Run on the real reference data: Almelo's consent to information exchange is a
condition for placement (report L458-459, L604-605); in Middelburg only
"structurele dagbesteding" is a hard criterion (L2041-2043).
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from core.scoping import Role
from intake import services
from intake.forms import CriteriaChecklistForm
from intake.models import (
    CheckResult,
    CriterionCheck,
    IntakeCase,
    IntakeOutcome,
    StageKind,
    StageOutcome,
)
from partners import services as partner_services
from partners.models import Consent, ConsentKind, RequiredConsent
from partners.reference import partners_load
from partners.selectors import consent_warnings
from tests.factories import PersonFactory, user_with_role
from trajectories.models import Stay

D = datetime.date
ALMELO_DAY = D(2021, 3, 1)
MIDDELBURG_DAY = D(2020, 9, 1)


@pytest.fixture
def sites(reference):
    partners_load()
    return reference


def _open(site, day) -> IntakeCase:
    process = services.process_on(site=site, day=day)
    return services.case_open(
        site=site,
        person=PersonFactory(site=site),
        opened_on=day,
        entry_route=process.entry_routes.first(),
        created_by=None,
    )


def _walk_to_decision(case: IntakeCase, day: D, *, skip: tuple[str, ...] = ()) -> None:
    """Pass every stage before the decision, in the order of the process."""
    for stage in case.process.stages.order_by("order"):
        if stage.kind == StageKind.DECISION or stage.optional or stage.code in skip:
            continue
        if stage.kind == StageKind.PRESCAN:
            for partner in stage.prescan_partners:
                services.prescan_answer_record(
                    case=case,
                    partner=partner,
                    asked_on=day,
                    answered_on=day,
                    objection=False,
                    actor=None,
                )
            continue
        outcome = StageOutcome.POSITIVE if "positive" in stage.outcomes else "completed"
        services.stage_event_record(
            case=case, stage=stage, occurred_on=day, outcome=outcome, actor=None
        )


def _answer_all(case: IntakeCase, day: D, **results: tuple[str, str]) -> None:
    """Every criterion met, except ``code=(result, reason)``."""
    answers = []
    for criterion in case.criteria_version.criteria.all():
        result, reason = results.get(criterion.code, (CheckResult.MET, ""))
        answers.append((criterion, result, reason))
    services.criteria_checklist_record(
        case=case, answers=answers, checked_on=day, actor=None
    )


def _place(case: IntakeCase, day: D) -> Stay:
    return services.case_place(
        case=case,
        decided_on=day,
        place_type=case.site.place_types.first(),
        placed_on=day,
        actor=None,
    )


def _codes(error: ValidationError) -> list[str]:
    return [e.code for e in error.error_list]


def test_blank_checklist_and_no_consent_are_refused_naming_each(sites):
    case = _open(sites["almelo"], ALMELO_DAY)
    _walk_to_decision(case, ALMELO_DAY)
    with pytest.raises(ValidationError) as error:
        _place(case, D(2021, 3, 10))
    assert _codes(error.value) == ["criteria_not_answered", "consent_missing"]
    text = " ".join(error.value.messages)
    criteria = list(case.criteria_version.criteria.all())
    assert len(criteria) == 19
    assert all(services.criterion_label(c) in text for c in criteria)
    assert not any(c.code in text for c in criteria)  # named as the page shows them
    assert str(ConsentKind.INFORMATION_EXCHANGE.label) in text
    case.refresh_from_db()
    assert case.outcome == IntakeOutcome.OPEN
    assert not Stay.objects.exists()


def test_almelo_places_with_the_whole_checklist_and_the_consent_statement(sites):
    case = _open(sites["almelo"], ALMELO_DAY)
    _walk_to_decision(case, ALMELO_DAY)
    _answer_all(case, ALMELO_DAY)
    with pytest.raises(ValidationError) as error:
        _place(case, D(2021, 3, 10))
    assert _codes(error.value) == ["consent_missing"]
    services.document_record(
        case=case,
        stage=case.process.stages.get(code="intake_interview"),
        document_code="toestemmingsverklaring",
        received_on=ALMELO_DAY,
        actor=None,
    )
    stay = _place(case, D(2021, 3, 10))
    assert stay.intake_case == case


def test_a_hard_criterion_not_met_is_refused_by_name(sites):
    case = _open(sites["almelo"], ALMELO_DAY)
    _walk_to_decision(case, ALMELO_DAY)
    _answer_all(case, ALMELO_DAY, alm_v1_in_05=(CheckResult.NOT_MET, ""))
    with pytest.raises(ValidationError) as error:
        _place(case, D(2021, 3, 10))
    assert "hard_criteria_not_met" in _codes(error.value)
    assert "Inclusiecriterium: Gedetineerden zijn groepsgeschikt." in " ".join(
        error.value.messages
    )


def test_middelburg_offers_no_exception_on_its_one_hard_criterion(sites):
    case = _open(sites["middelburg"], MIDDELBURG_DAY)
    hard = list(case.criteria_version.criteria.filter(hard=True))
    assert [c.code for c in hard] == ["mid_v1_in_01"]
    form = CriteriaChecklistForm(case=case)
    for criterion in case.criteria_version.criteria.all():
        offered = [v for v, _label in form.fields[f"result_{criterion.pk}"].choices]
        assert ("exception" in offered) is (not criterion.hard), criterion.code
    with pytest.raises(ValidationError) as error:
        services.criterion_check_record(
            case=case,
            criterion=hard[0],
            result=CheckResult.EXCEPTION,
            exception_reason="werkgever werkt nog niet mee",
            checked_on=MIDDELBURG_DAY,
            actor=None,
        )
    assert error.value.code == "hard_criterion_exception"
    assert not CriterionCheck.objects.exists()


def test_middelburg_places_with_maatwerk_on_a_soft_criterion(sites):
    case = _open(sites["middelburg"], MIDDELBURG_DAY)
    _walk_to_decision(case, MIDDELBURG_DAY)
    _answer_all(
        case,
        MIDDELBURG_DAY,
        mid_v1_in_02=(CheckResult.EXCEPTION, "woont net buiten de regio"),
    )
    # the positive consent step gave the employer-contact consent
    assert Consent.objects.get(person=case.person).kind == ConsentKind.EMPLOYER_CONTACT
    assert _place(case, D(2020, 9, 20)).intake_case == case


def test_an_exception_stored_on_a_hard_criterion_still_refuses(sites):
    """Checks saved before hard criteria refused exceptions do not place."""
    case = _open(sites["middelburg"], MIDDELBURG_DAY)
    _walk_to_decision(case, MIDDELBURG_DAY)
    _answer_all(case, MIDDELBURG_DAY)
    CriterionCheck.objects.filter(criterion__code="mid_v1_in_01").update(
        result=CheckResult.EXCEPTION, exception_reason="oud"
    )
    with pytest.raises(ValidationError) as error:
        _place(case, D(2020, 9, 20))
    assert error.value.code == "hard_criteria_not_met"
    hard = case.criteria_version.criteria.get(code="mid_v1_in_01")
    assert services.criterion_label(hard) in error.value.messages[0]


def test_hardness_and_consent_requirements_are_data(sites):
    case = _open(sites["middelburg"], MIDDELBURG_DAY)
    _walk_to_decision(case, MIDDELBURG_DAY, skip=("employer_consent", "screening"))
    _answer_all(case, MIDDELBURG_DAY)
    # the consent step was skipped: the site's required consent is missing
    with pytest.raises(ValidationError) as error:
        _place(case, D(2020, 9, 20))
    assert "consent_missing" in _codes(error.value)
    RequiredConsent.objects.filter(site=case.site).update(before_placement=False)
    problems = services.placement_problems(case=case, placed_on=D(2020, 9, 20))
    assert "consent_missing" not in [p.code for p in problems]
    soft = case.criteria_version.criteria.get(code="mid_v1_in_02")
    soft.hard = True
    soft.save()
    form = CriteriaChecklistForm(case=case)
    assert "exception" not in dict(form.fields[f"result_{soft.pk}"].choices)


def test_the_consent_statement_is_recorded_once_with_the_sites_scope(sites):
    case = _open(sites["almelo"], ALMELO_DAY)
    person = case.person
    assert [w.kind for w in consent_warnings(person=person)] == [
        ConsentKind.INFORMATION_EXCHANGE
    ]
    stage = case.process.stages.get(code="intake_interview")
    for day in (ALMELO_DAY, D(2021, 3, 2)):
        services.document_record(
            case=case,
            stage=stage,
            document_code="toestemmingsverklaring",
            received_on=day,
            actor=None,
        )
    consent = Consent.objects.get(person=person)
    required = RequiredConsent.objects.get(site=case.site)
    assert (consent.kind, consent.given_on, consent.scope) == (
        ConsentKind.INFORMATION_EXCHANGE,
        ALMELO_DAY,
        required.scope,
    )
    assert "toestemmingsverklaring" in consent.document
    assert consent_warnings(person=person) == []
    # entering it again under Partners is refused: it is recorded already
    with pytest.raises(ValidationError) as error:
        partner_services.consent_record(
            person=person,
            kind=ConsentKind.INFORMATION_EXCHANGE,
            given_on=D(2021, 3, 3),
            scope="nogmaals",
        )
    assert error.value.code == "consent_already_given"
    # withdrawing is one action: warnings return and the placement is refused
    partner_services.consent_withdraw(consent=consent, withdrawn_on=D(2021, 3, 4))
    assert [w.state for w in consent_warnings(person=person)] == ["withdrawn"]
    _walk_to_decision(case, D(2021, 3, 4))
    _answer_all(case, D(2021, 3, 4))
    with pytest.raises(ValidationError) as error:
        _place(case, D(2021, 3, 10))
    assert error.value.code == "consent_missing"


def test_a_negative_consent_step_records_no_consent(sites):
    case = _open(sites["middelburg"], MIDDELBURG_DAY)
    _walk_to_decision(case, MIDDELBURG_DAY, skip=("employer_consent", "screening"))
    services.stage_event_record(
        case=case,
        stage=case.process.stages.get(code="employer_consent"),
        occurred_on=MIDDELBURG_DAY,
        outcome=StageOutcome.NEGATIVE,
        actor=None,
    )
    assert not Consent.objects.exists()


def test_placement_page_lists_every_missing_thing(client, sites):
    case = _open(sites["almelo"], ALMELO_DAY)
    _walk_to_decision(case, ALMELO_DAY)
    user = user_with_role(Role.CASEMANAGER, case.site, username="cm")
    client.force_login(user)
    url = reverse("intake:case_place", args=[case.pk])
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(
        url,
        {
            "decided_on": "2021-03-10",
            "place_type": case.site.place_types.first().pk,
            "placed_on": "2021-03-10",
            "version": IntakeCase.objects.get(pk=case.pk).version,
        },
    )
    assert response.status_code == 200
    errors = list(response.context["form"].non_field_errors())
    assert len(errors) == 2
    with translation.override("nl"):
        first = case.criteria_version.criteria.get(code="alm_v1_in_01")
        assert services.criterion_label(first) in errors[0]
        assert str(ConsentKind.INFORMATION_EXCHANGE.label) in errors[1]
    assert not Stay.objects.exists()


def test_consents_of_earlier_intake_registrations_are_recorded_once(sites):
    case = _open(sites["almelo"], ALMELO_DAY)
    stage = case.process.stages.get(code="intake_interview")
    with_consent = stage.documents
    stage.documents = [
        {k: v for k, v in d.items() if k != "consent"} for d in stage.documents
    ]
    stage.save()
    services.document_record(
        case=case,
        stage=stage,
        document_code="toestemmingsverklaring",
        received_on=ALMELO_DAY,
        actor=None,
    )
    assert not Consent.objects.exists()  # registered before the rule existed
    stage.documents = with_consent
    stage.save()
    assert services.consents_from_intake_backfill() == 1
    assert services.consents_from_intake_backfill() == 0
    consent = Consent.objects.get(person=case.person)
    assert (consent.kind, consent.given_on) == (
        ConsentKind.INFORMATION_EXCHANGE,
        ALMELO_DAY,
    )

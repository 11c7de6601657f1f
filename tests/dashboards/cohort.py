"""A small Krimpen cohort entered the way the application asks: through the
services, on the reference data loaded as in production.

Four participants of DC II (2019-2020) and one regular detainee on a KV
place. The figures each person contributes are written next to them, so the
Bijlage 7 tests can compare every figure with a count made by hand.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from typing import Any

from django.core.management import call_command

from core.models import PlaceType, Site
from core.services import person_create
from evaluation.derived import resolve
from evaluation.models import Measurement, Moment
from evaluation.services import AnswerInput, items_for, measurement_save
from intake.models import CheckResult, StageKind, StageOutcome
from intake.services import (
    case_open,
    case_place,
    criteria_checklist_record,
    prescan_answer_record,
    stage_event_record,
)
from partners.models import Organisation
from partners.selectors import consents_missing_for_placement
from partners.services import case_role_assign, consent_record, organisation_create
from trajectories.models import GoalDomain
from trajectories.services import incident_record, stay_create, stay_end
from trajectories.services.plans import activity_create, goal_create, plan_create
from trajectories.services.work import employment_record, job_search_record

D = datetime.date
#: the period of the dashboard and the export: DC II's open months
START, END = D(2019, 1, 1), D(2020, 4, 30)


@dataclass
class Member:
    stay: Any
    eind: dict[str, Any]


def _answers(measurement: Measurement, given: dict[str, Any]) -> dict:
    """Every item asked at the moment: the given value (or missing reason),
    else "not asked"; derived items show their registered value."""
    answers = {}
    for item in items_for(measurement.catalogue, measurement.moment):
        if item.var in given:
            value = given[item.var]
            if isinstance(value, AnswerInput):
                answers[item] = value
            elif value in ("unknown", "refused", "not_applicable", "not_asked"):
                answers[item] = AnswerInput(missing_reason=value)
            else:
                reason = "niet van toepassing" if value is False else ""
                if item.answer_type != "yes_no_reason":
                    reason = ""
                answers[item] = AnswerInput(value=value, reason_text=reason)
        elif item.derived_from and resolve(item.derived_from, measurement.stay):
            continue  # the form shows the registered value
        else:
            answers[item] = AnswerInput(missing_reason="not_asked")
    return answers


def _participant(
    site: Site,
    place_type: PlaceType,
    *,
    number: int,
    born: datetime.date,
    placed: datetime.date,
    ended: datetime.date | None,
) -> Any:
    person = person_create(
        site=site,
        first_name="Cohort",
        last_name=f"Deelnemer{number}",
        date_of_birth=born,
        gender="male",
        dji_number=f"90{number:05d}",
    )
    case = case_open(
        site=site,
        person=person,
        opened_on=placed - datetime.timedelta(days=25),
        entry_route=None,
        created_by=None,
    )
    day = case.opened_on
    stages = case.process.stages.exclude(kind=StageKind.DECISION)
    for stage in stages.order_by("order"):
        if stage.optional:
            continue
        day += datetime.timedelta(days=3)
        case.refresh_from_db()
        if stage.kind == StageKind.PRESCAN:
            for partner in stage.prescan_partners:
                prescan_answer_record(
                    case=case, partner=partner, asked_on=day, answered_on=day,
                    objection=False, actor=None,
                )  # fmt: skip
            continue
        outcome = (
            StageOutcome.POSITIVE
            if StageOutcome.POSITIVE in (stage.outcomes or [])
            else StageOutcome.COMPLETED
        )
        stage_event_record(
            case=case, stage=stage, occurred_on=day, outcome=outcome, actor=None
        )
    case.refresh_from_db()
    criteria_checklist_record(
        case=case,
        answers=[
            (criterion, CheckResult.MET, "")
            for criterion in case.criteria_version.criteria.all()
        ],
        checked_on=day,
        actor=None,
    )
    for required in consents_missing_for_placement(person=person, day=placed):
        consent_record(
            person=person, kind=required.kind, given_on=case.opened_on,
            scope="Cohort: alle partners",
        )  # fmt: skip
    case.refresh_from_db()
    stay = case_place(
        case=case,
        decided_on=placed - datetime.timedelta(days=2),
        place_type=place_type,
        placed_on=placed,
        actor=None,
        capacity_override_reason="testcohort",
    )
    if ended is not None:
        stay = stay_end(stay=stay, ended_on=ended, outflow_type="end_of_sentence")
    return stay


def _eindmeting(stay: Any, given: dict[str, Any]) -> None:
    measurement = Measurement.objects.get(stay=stay, moment=Moment.EINDMETING)
    measurement_save(
        measurement=measurement,
        answers=_answers(measurement, given),
        expected_version=measurement.version,
        user=None,
        complete=True,
    )


def _plan(stay: Any, *, by_himself: bool, partner: Organisation | None) -> None:
    plan = plan_create(
        stay=stay,
        data={
            "drawn_up_on": stay.placed_on + datetime.timedelta(days=7),
            "written_by_detainee": by_himself,
            "personal_goal": "Werk vinden",
        },
    )
    goal = goal_create(
        plan=plan,
        domain=GoalDomain.objects.get(code="pf_opleiding_werk"),
        description="Werk vinden",
    )
    activity_create(
        goal=goal,
        data={
            "description": "Sollicitatiebrief",
            "responsible_organisation": partner,
            "due_on": stay.placed_on + datetime.timedelta(days=30),
        },
    )


CONDITIONS_MET = {
    "kri_wd_identiteitsbewijs": True,
    "kri_wd_zicht_onderdak": True,
    "kri_wd_zicht_inkomen": True,
    "kri_wd_aanpak_schulden": "not_applicable",
    "kri_wd_zorgverzekering": True,
}


def krimpen_cohort() -> tuple[Site, list[Any]]:
    """Returns the site and the stays of P1-P4 (participants) and P5."""
    call_command("load_reference", stdout=io.StringIO())
    site = Site.objects.get(code="krimpen")
    zbbi = PlaceType.objects.get(site=site, code="zbbi")
    volunteers = Organisation.objects.for_site(site).get(
        name__startswith="Gevangenenzorg"
    )
    care = organisation_create(name="Cohort Zorgpartner", kind="care", sites=[site])

    # P1: 30 at placement, 181 days; plan by himself, buddy who supported him,
    # network support; consultant and vacancy search; paid job found.
    p1 = _participant(
        site, zbbi, number=1, born=D(1988, 6, 1), placed=D(2019, 2, 1),
        ended=D(2019, 8, 1),
    )  # fmt: skip
    _plan(p1, by_himself=True, partner=volunteers)  # a volunteer is no partner
    case_role_assign(person=p1.person, role="buddy", started_on=D(2019, 2, 10),
                     organisation=volunteers, name="Vrijwilliger A")  # fmt: skip
    job_search_record(stay=p1, kind="labour_consultant", occurred_on=D(2019, 3, 1),
                      used=True)  # fmt: skip
    job_search_record(stay=p1, kind="vacancy_search", occurred_on=D(2019, 3, 5),
                      used=True)  # fmt: skip
    employment_record(stay=p1, employer_name="Cohort Lasbedrijf", data={
        "job_title": "lasser", "hours_per_week": 32, "pay_kind": "paid",
        "started_on": D(2019, 4, 1), "origin": "found"})  # fmt: skip
    _eindmeting(p1, {
        **CONDITIONS_MET, "kri_act_naleving_gedragsregels": True,
        "kri_act_functioneert_groep": True, "kri_wd_ondersteunend_netwerk": True,
        "kri_act_ondersteuning_buddy": True, "kri_act_ondersteuning_netwerk": True,
    })  # fmt: skip

    # P2: 45, 320 days; plan not by himself; buddy, but little support (the
    # "klik" was poor); network support; a drug-use incident; own vacancy
    # search, no employer contact; volunteer work found; no ID card.
    p2 = _participant(
        site, zbbi, number=2, born=D(1973, 12, 1), placed=D(2019, 3, 1),
        ended=None,
    )  # fmt: skip
    _plan(p2, by_himself=False, partner=None)
    case_role_assign(person=p2.person, role="buddy", started_on=D(2019, 3, 5),
                     organisation=volunteers, name="Vrijwilliger B")  # fmt: skip
    incident_record(stay=p2, occurred_on=D(2019, 6, 1), kind="drug_use",
                    detection="urine_test", consequence="warning",
                    recorded_by=None)  # fmt: skip
    job_search_record(stay=p2, kind="vacancy_search", occurred_on=D(2019, 4, 1),
                      used=True)  # fmt: skip
    job_search_record(stay=p2, kind="employer_contact", occurred_on=D(2019, 4, 1),
                      used=False, reason_not_used="Nog niet aan toe")  # fmt: skip
    employment_record(stay=p2, employer_name="Cohort Kringloop", data={
        "job_title": "medewerker", "hours_per_week": 16, "pay_kind": "volunteer",
        "started_on": D(2019, 5, 1), "origin": "found"})  # fmt: skip
    p2 = stay_end(stay=p2, ended_on=D(2020, 1, 15), outflow_type="end_of_sentence")
    _eindmeting(p2, {
        **CONDITIONS_MET, "kri_wd_identiteitsbewijs": False,
        "kri_act_naleving_gedragsregels": True, "kri_act_functioneert_groep": False,
        "kri_wd_ondersteunend_netwerk": False,
        "kri_act_ondersteuning_buddy": AnswerInput(
            value=False, reason_text="klik met de vrijwilliger matig"),
        "kri_act_ondersteuning_netwerk": True,
    })  # fmt: skip

    # P3: 52, 70 days; no plan (a buddy all the same, outside B7.3.1's N);
    # broke the house rules; a job, but paid or unpaid is unknown.
    p3 = _participant(
        site, zbbi, number=3, born=D(1966, 5, 1), placed=D(2019, 4, 1),
        ended=D(2019, 6, 10),
    )  # fmt: skip
    case_role_assign(person=p3.person, role="buddy", started_on=D(2019, 4, 2),
                     organisation=volunteers, name="Vrijwilliger C")  # fmt: skip
    _eindmeting(p3, {
        **CONDITIONS_MET, "kri_wd_aanpak_schulden": True,
        "kri_act_naleving_gedragsregels": False, "kri_act_functioneert_groep": True,
        "kri_wd_ondersteunend_netwerk": True, "kri_wd_betaalde_baan": "unknown",
    })  # fmt: skip

    # P4: 38, still in DC II when the period ends (365 days to 30 April 2020);
    # plan by himself with an activity of a care partner; no buddy.
    p4 = _participant(
        site, zbbi, number=4, born=D(1980, 8, 1), placed=D(2019, 5, 1),
        ended=D(2020, 6, 1),
    )  # fmt: skip
    _plan(p4, by_himself=True, partner=care)
    _eindmeting(p4, {
        **CONDITIONS_MET, "kri_act_naleving_gedragsregels": "unknown",
        "kri_act_functioneert_groep": "unknown", "kri_wd_ondersteunend_netwerk": True,
    })  # fmt: skip

    # P5: a regular ZBBI detainee on a KV place, counted nowhere.
    regular = person_create(
        site=site, first_name="Cohort", last_name="Regulier",
        date_of_birth=D(1990, 1, 1), gender="male", dji_number="9000005",
    )  # fmt: skip
    p5 = stay_create(
        person=regular, place_type=zbbi, placed_on=D(2019, 2, 1), created_by=None,
        capacity_override_reason="testcohort",
    )  # fmt: skip
    incident_record(stay=p5, occurred_on=D(2019, 3, 1), kind="drug_use",
                    detection="urine_test", consequence="warning",
                    recorded_by=None)  # fmt: skip
    return site, [p1, p2, p3, p4, p5]


#: Bijlage 7 of the cohort, counted by hand from the comments above
#: (N: 4 participants; B7.3.1: the 3 with a plan).
HAND_COUNTS = {
    "age_mean": [41, 4],  # (30 + 45 + 52 + 38) / 4 = 41.25
    "age_min": [30, 4],
    "age_max": [52, 4],
    "duration_mean": [234, "circa 7 maanden"],  # (181 + 320 + 70 + 365) / 4
    "duration_min": [70, "circa 2 maanden"],
    "duration_max": [365, "1 jaar"],
    "drug_use": [1, 4],  # P2 (P5 is no participant)
    "house_rules": [2, 4],  # P1, P2
    "group_functioning": [2, 4],  # P1, P3
    "five_conditions": [3, 4],  # P1, P3, P4 (P2 has no ID card)
    "social_network": [3, 4],  # P1, P3, P4
    "plan_independent": [2, 4],  # P1, P4
    "volunteer_assigned": [2, 3],  # P1, P2 (P3 has a buddy but no plan)
    "volunteer_support": [1, 3],  # P1
    "network_support": [2, 3],  # P1, P2
    "partner_involved": [1, 3],  # P4's care partner (P1's is volunteers)
    "labour_consultant": [1, 4],  # P1
    "vacancy_search": [2, 4],  # P1, P2
    "employer_contact": [0, 4],  # P2 registered it as not used
    "job_interview": [0, 4],
    "course": [0, 4],
    "theme_evening": [0, 4],
    "paid_job": [1, 4],  # P1
    "unpaid_job": [1, 4],  # P2, volunteer work
    "unknown_job": [1, 4],  # P3
}

#: who is behind each count: P1..P4 by their index in the cohort
HAND_PEOPLE = {
    "drug_use": [1],
    "house_rules": [0, 1],
    "group_functioning": [0, 2],
    "five_conditions": [0, 2, 3],
    "social_network": [0, 2, 3],
    "plan_independent": [0, 3],
    "volunteer_assigned": [0, 1],
    "volunteer_support": [0],
    "network_support": [0, 1],
    "partner_involved": [3],
    "labour_consultant": [0],
    "vacancy_search": [0, 1],
    "paid_job": [0],
    "unpaid_job": [1],
    "unknown_job": [2],
}

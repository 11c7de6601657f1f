"""A job against its site's work rules is saved only with a confirmation and a
reason, shows on the worklist and counts in the dashboard (issue 14, item 3).

Middelburg: at least 24 hours a week, verifiable with the employer, at an
acceptable travel distance (report L2023-2026); Rotterdam: at least 26 hours a
week and three months in service at arrival (L2431-2432).
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent, AuditKind
from core.scoping import Role
from tests.factories import PersonFactory, StayFactory, user_with_role
from trajectories import selectors
from trajectories.models import Employment
from trajectories.services import employment_record, employment_update

pytestmark = pytest.mark.django_db

D = datetime.date
WITHIN_RULES = {
    "job_title": "magazijnmedewerker",
    "hours_per_week": 32,
    "pay_kind": "paid",
    "started_on": D(2020, 1, 6),
    "origin": "kept",
    "verifiable_with_employer": True,
    "within_travel_distance": True,
}


SEPTEMBER_1 = D(2020, 9, 1)


def _stay(site, placed_on=SEPTEMBER_1):
    return StayFactory(
        site=site,
        person=PersonFactory(site=site, last_name="Werkregel"),
        place_type=site.place_types.first(),
        placed_on=placed_on,
    )


def test_a_20_hour_job_in_middelburg_needs_a_confirmation_and_a_reason(reference):
    stay = _stay(reference["middelburg"])
    twenty = {**WITHIN_RULES, "hours_per_week": 20}
    with pytest.raises(ValidationError) as error:
        employment_record(stay=stay, employer_name="Demo-Bouw", data=twenty)
    errors = error.value.message_dict
    assert set(errors) == {"__all__", "confirm_rule_breach", "rule_breach_reason"}
    assert "24" in errors["__all__"][0]
    assert "20" in errors["__all__"][0]
    with pytest.raises(ValidationError) as error:
        employment_record(
            stay=stay,
            employer_name="Demo-Bouw",
            data=twenty,
            confirm_rule_breach=True,
        )
    assert set(error.value.message_dict) == {"__all__", "rule_breach_reason"}
    assert not Employment.objects.exists()
    job = employment_record(
        stay=stay,
        employer_name="Demo-Bouw",
        data=twenty,
        confirm_rule_breach=True,
        rule_breach_reason="Uren worden in maart uitgebreid",
    )
    assert job.rule_breach_reason == "Uren worden in maart uitgebreid"
    event = AuditEvent.objects.get(kind=AuditKind.OVERRIDE)
    assert event.details["reason"] == "Uren worden in maart uitgebreid"


def test_unverifiable_and_far_away_jobs_break_the_middelburg_rules(reference):
    stay = _stay(reference["middelburg"])
    job = {
        **WITHIN_RULES,
        "verifiable_with_employer": False,
        "within_travel_distance": False,
    }
    with pytest.raises(ValidationError) as error:
        employment_record(stay=stay, employer_name="Demo-Ver", data=job)
    message = error.value.message_dict["__all__"][0]
    assert "werkgever" in message
    assert "reisafstand" in message


def test_rotterdam_counts_months_in_service_at_placement(reference):
    stay = _stay(reference["rotterdam"], placed_on=D(2019, 6, 1))
    two_months = {**WITHIN_RULES, "hours_per_week": 26, "started_on": D(2019, 4, 1)}
    with pytest.raises(ValidationError) as error:
        employment_record(stay=stay, employer_name="Demo-Haven", data=two_months)
    message = error.value.message_dict["__all__"][0]
    assert "3" in message
    assert "2)" in message
    three_months = {**two_months, "started_on": D(2019, 3, 1)}
    job = employment_record(
        stay=stay,
        employer_name="Demo-Haven",
        data=three_months,
        confirm_rule_breach=True,
        rule_breach_reason="niet nodig",
    )
    assert job.rule_breach_reason == ""  # within the rules: no reason is kept


def test_a_job_that_meets_the_rules_again_leaves_the_worklist(reference):
    site = reference["middelburg"]
    user = user_with_role(Role.CASEMANAGER, site)
    job = employment_record(
        stay=_stay(site),
        employer_name="Demo-Bouw",
        data={**WITHIN_RULES, "hours_per_week": 20},
        confirm_rule_breach=True,
        rule_breach_reason="opbouw uren",
    )
    breaches = selectors.work_rule_breaches(selectors.current_jobs(user=user))
    assert [b.job for b in breaches] == [job]
    employment_update(
        job=job, employer_name="Demo-Bouw", data={**WITHIN_RULES, "hours_per_week": 24}
    )
    job.refresh_from_db()
    assert job.rule_breach_reason == ""
    assert selectors.work_rule_breaches(selectors.current_jobs(user=user)) == []


def test_the_job_form_asks_for_confirmation_and_keeps_the_input(client, reference):
    site = reference["middelburg"]
    stay = _stay(site)
    client.force_login(user_with_role(Role.CASEMANAGER, site))
    url = reverse("trajectories:employment_create", args=[stay.pk])
    post = {
        **WITHIN_RULES,
        "employer_name": "Demo-Bouw",
        "hours_per_week": "20",
        "started_on": "2020-01-06",
        "verifiable_with_employer": "on",
        "within_travel_distance": "on",
    }
    response = client.post(url, post)
    assert response.status_code == 200
    form = response.context["form"]
    assert "24" in form.non_field_errors()[0]
    assert form.errors["confirm_rule_breach"]
    assert 'value="Demo-Bouw"' in response.content.decode()
    assert not Employment.objects.exists()
    response = client.post(
        url,
        {**post, "confirm_rule_breach": "on", "rule_breach_reason": "opbouw uren"},
        follow=True,
    )
    job = Employment.objects.get()
    assert job.rule_breach_reason == "opbouw uren"
    shown = [str(m) for m in response.context["messages"]]
    assert any("werkafspraken" in m for m in shown), shown
    assert "Baan geregistreerd." not in shown


def test_sites_without_work_rules_ask_no_confirmation(client, reference):
    site = reference["krimpen"]
    stay = _stay(site, placed_on=D(2020, 6, 1))
    client.force_login(user_with_role(Role.CASEMANAGER, site))
    response = client.get(reverse("trajectories:employment_create", args=[stay.pk]))
    assert "confirm_rule_breach" not in response.context["form"].fields


def test_worklist_home_and_dashboard_count_the_same_jobs(client, reference):
    site = reference["middelburg"]
    today = timezone.localdate()
    stay = _stay(site, placed_on=today - datetime.timedelta(days=20))
    for hours, reason in ((20, "opbouw"), (30, "")):
        employment_record(
            stay=stay,
            employer_name=f"Demo-{hours}",
            data={**WITHIN_RULES, "hours_per_week": hours},
            confirm_rule_breach=bool(reason),
            rule_breach_reason=reason,
        )
    casemanager = user_with_role(Role.CASEMANAGER, site, username="cm")
    client.force_login(casemanager)
    worklist = client.get(reverse("trajectories:worklist"))
    assert len(worklist.context["work_rule_breaches"]) == 1
    assert 'id="work-rule-breaches"' in worklist.content.decode()
    home = client.get("/").content.decode()
    assert 'id="count-work-rules">1<' in home
    user_with_role(Role.PROJECT_LEADER, site, username="pl")
    client.force_login(casemanager.__class__.objects.get(username="pl"))
    dashboard = client.get(reverse("dashboards:site_dashboard", args=[site.code]))
    panel = next(p for p in dashboard.context["panels"] if p.key == "work_rules")
    counts = [row[1].value for row in panel.table.rows]
    assert counts[:2] == [2, 1]
    cases = client.get(panel.table.rows[1][1].url)
    listed = [row["person_pk"] for row in cases.context["page"].object_list]
    assert listed == [stay.person_id]


def test_a_stale_edit_of_a_job_against_the_rules_loses_nothing(client, reference):
    site = reference["middelburg"]
    job = employment_record(
        stay=_stay(site),
        employer_name="Demo-Bouw",
        data={**WITHIN_RULES, "hours_per_week": 20},
        confirm_rule_breach=True,
        rule_breach_reason="opbouw uren",
    )
    client.force_login(user_with_role(Role.CASEMANAGER, site))
    url = reverse("trajectories:employment_update", args=[job.pk])
    form = client.get(url).context["form"]
    assert form["confirm_rule_breach"].value() is True
    post = {
        **WITHIN_RULES,
        "employer_name": "Demo-Bouw",
        "hours_per_week": "16",
        "started_on": "2020-01-06",
        "verifiable_with_employer": "on",
        "within_travel_distance": "on",
        "confirm_rule_breach": "on",
        "rule_breach_reason": "minder uren tijdens scholing",
        "version": str(form["version"].value()),
    }
    # a colleague saves the job first
    employment_update(
        job=Employment.objects.get(pk=job.pk),
        employer_name="Demo-Bouw",
        data={**WITHIN_RULES, "hours_per_week": 22},
        confirm_rule_breach=True,
        rule_breach_reason="opbouw uren tot 24",
    )
    overrides = AuditEvent.objects.filter(kind=AuditKind.OVERRIDE).count()
    response = client.post(url, post)
    assert response.status_code == 200
    refused = response.context["form"]
    assert refused["hours_per_week"].value() == "16"  # the input is kept
    assert "hours_per_week" in [change.field for change in refused.concurrent_changes]
    job.refresh_from_db()
    assert (job.hours_per_week, job.rule_breach_reason) == (22, "opbouw uren tot 24")
    # the refused save audited no override
    assert AuditEvent.objects.filter(kind=AuditKind.OVERRIDE).count() == overrides
    # saving again deliberately overwrites, with the confirmation kept
    response = client.post(url, dict(response.context["form"].data.items()))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.hours_per_week == 16
    assert job.rule_breach_reason == "minder uren tijdens scholing"
    event = AuditEvent.objects.filter(kind=AuditKind.OVERRIDE).latest("pk")
    assert event.details["reason"] == "minder uren tijdens scholing"

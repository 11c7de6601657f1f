from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from intake import services
from intake.models import IntakeCase, StageEvent, StageOutcome
from intake.selectors import worklist
from tests.factories import PersonFactory
from tests.test_permission_matrix import _request, _url, all_routes, two_worlds  # noqa: F401

D = datetime.date
MARCH_2 = D(2020, 3, 2)


def _case(process, person, day=MARCH_2, **extra) -> IntakeCase:
    return services.case_open(
        site=person.site,
        person=person,
        opened_on=day,
        entry_route=process.entry_routes.get(code="referral"),
        created_by=None,
        **extra,
    )


def test_casemanager_cannot_open_other_site_case(
    client, casemanager_krimpen, almelo_process, candidate
):
    case = _case(almelo_process, candidate)
    client.force_login(casemanager_krimpen)
    for name in ("intake:case_detail", "intake:case_place", "intake:case_close"):
        assert client.get(reverse(name, args=[case.pk])).status_code == 404
    response = client.post(reverse("intake:case_event_create", args=[case.pk]), {})
    assert response.status_code == 404


def test_intake_urls_are_scoped_for_every_role(client, two_worlds):  # noqa: F811
    """The permission matrix, for the intake URLs only."""
    from core.scoping import Role
    from tests.factories import user_with_role

    own_site, own, other = two_worlds
    failures = []
    for role in Role.values:
        client.force_login(user_with_role(role, own_site))
        for route in [r for r in all_routes() if r.name.startswith("intake:")]:
            allowed = role in route.view.kv_roles
            own_response = _request(client, _url(route, own))
            expected = (200, 302) if allowed else (403,)
            if own_response.status_code not in expected:
                failures.append((role, route.name, own_response.status_code))
            if "ZZLEAKZZ" in own_response.content.decode(errors="replace"):
                failures.append((role, route.name, "leak"))
            if allowed and route.keywords:
                other_response = _request(client, _url(route, other))
                if other_response.status_code != 404:
                    failures.append(
                        (role, route.name, "other", other_response.status_code)
                    )
    assert failures == []


def test_empty_post_shows_the_form_again(
    client, casemanager_almelo, almelo_process, candidate
):
    case = _case(almelo_process, candidate)
    client.force_login(casemanager_almelo)
    for name in (
        "intake:case_event_create",
        "intake:case_prescan",
        "intake:case_place",
    ):
        response = client.post(reverse(name, args=[case.pk]), {})
        assert response.status_code == 200, name
    response = client.post(
        reverse("intake:case_event_create", args=[case.pk]),
        {
            "stage": case.process.stages.get(code="interview").pk,
            "occurred_on": "2020-03-05",
            "outcome": "positive",
        },
    )
    assert response.status_code == 200
    assert "Stap screening" in str(response.context["event_form"].non_field_errors())
    assert response.context["event_form"]["occurred_on"].value() == "2020-03-05"


def test_middelburg_worklist_sets_the_call_up_due_date_and_marks_overdue(
    reference, casemanager_almelo
):
    from core.models import Membership
    from core.scoping import Role

    middelburg = reference["middelburg"]
    Membership.objects.create(
        user=casemanager_almelo, site=middelburg, role=Role.CASEMANAGER
    )
    today = timezone.localdate()
    late = services.case_open(
        site=middelburg,
        person=PersonFactory(site=middelburg),
        opened_on=today - datetime.timedelta(days=30),
        entry_route=None,
        created_by=None,
        report_date=today + datetime.timedelta(days=10),
    )
    early = services.case_open(
        site=middelburg,
        person=PersonFactory(site=middelburg),
        opened_on=today - datetime.timedelta(days=1),
        entry_route=None,
        created_by=None,
        report_date=today + datetime.timedelta(days=70),
    )
    items = {i.case.pk: i for i in worklist(user=casemanager_almelo, site=middelburg)}
    assert items[late.pk].stage.code == "start_signal"
    assert items[late.pk].due == late.report_date - datetime.timedelta(days=42)
    assert items[late.pk].overdue is True
    assert items[early.pk].due == early.report_date - datetime.timedelta(days=42)
    assert items[early.pk].overdue is False
    assert next(iter(items)) == late.pk
    services.stage_event_record(
        case=late,
        stage=late.process.stages.get(code="start_signal"),
        occurred_on=today,
        outcome=StageOutcome.COMPLETED,
        actor=None,
    )
    item = next(i for i in worklist(user=casemanager_almelo) if i.case.pk == late.pk)
    assert item.stage.code == "prescan"
    assert len(item.partners) == 4


def test_worklist_asks_to_record_the_end_after_a_negative_stage(
    client, casemanager_almelo, almelo_process, candidate
):
    case = _case(almelo_process, candidate)
    services.stage_event_record(
        case=case,
        stage=case.process.stages.get(code="screening"),
        occurred_on=D(2020, 3, 3),
        outcome=StageOutcome.NEGATIVE,
        actor=None,
    )
    items = worklist(user=casemanager_almelo)
    assert [(i.case.pk, i.action) for i in items] == [(case.pk, "close")]


def test_home_page_shows_what_needs_doing_for_casemanagers(
    client, casemanager_almelo, project_leader_almelo, almelo_process, candidate
):
    _case(almelo_process, candidate)
    client.force_login(casemanager_almelo)
    body = client.get(reverse("core:home")).content.decode()
    assert 'id="intake-home"' in body
    assert "Kandidaat" in body
    client.force_login(project_leader_almelo)
    assert 'id="intake-home"' not in client.get(reverse("core:home")).content.decode()


def test_person_page_lists_the_intake_cases(
    client, casemanager_almelo, almelo_process, candidate
):
    case = _case(almelo_process, candidate)
    client.force_login(casemanager_almelo)
    body = client.get(
        reverse("core:person_detail", args=[candidate.pk])
    ).content.decode()
    assert case.get_absolute_url() in body
    assert 'id="open-intake-case"' in body


@pytest.mark.parametrize("role_fixture", ["researcher_almelo", "admin_almelo"])
def test_non_case_roles_get_no_intake_pages(
    request, client, role_fixture, almelo_process, candidate
):
    case = _case(almelo_process, candidate)
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get(reverse("intake:case_detail", args=[case.pk])).status_code == 403
    assert client.get(reverse("intake:worklist")).status_code == 403


def test_person_history_shows_who_recorded_the_intake_steps(
    client, casemanager_almelo, almelo_process, candidate
):
    case = _case(almelo_process, candidate)
    client.force_login(casemanager_almelo)
    client.post(
        reverse("intake:case_event_create", args=[case.pk]),
        {
            "stage": case.process.stages.get(code="screening").pk,
            "occurred_on": "2020-03-03",
            "outcome": "positive",
        },
    )
    history = client.get(reverse("core:person_history", args=[candidate.pk]))
    labels = {str(entry.model_label) for entry in history.context["page"]}
    with translation.override("nl"):
        expected = {
            str(StageEvent._meta.verbose_name),
            str(IntakeCase._meta.verbose_name),
        }
    assert expected <= labels
    users = {entry.user for entry in history.context["page"]}
    assert "alice" in users


def test_changing_the_report_date_moves_the_due_date(
    client, casemanager_almelo, reference
):
    from core.models import Membership
    from core.scoping import Role

    middelburg = reference["middelburg"]
    Membership.objects.create(
        user=casemanager_almelo, site=middelburg, role=Role.CASEMANAGER
    )
    case = services.case_open(
        site=middelburg,
        person=PersonFactory(site=middelburg),
        opened_on=D(2020, 9, 1),
        entry_route=None,
        created_by=None,
        report_date=D(2020, 11, 2),
    )
    client.force_login(casemanager_almelo)
    url = reverse("intake:case_update", args=[case.pk])
    response = client.post(
        url,
        {
            "entry_route": case.process.entry_routes.get().pk,
            "report_date": "2020-12-14",
            "referring_person": "DIZ-medewerker",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.report_date, case.referring_person) == (
        D(2020, 12, 14),
        "DIZ-medewerker",
    )
    item = next(i for i in worklist(user=casemanager_almelo) if i.case.pk == case.pk)
    assert item.due == D(2020, 11, 2)
    assert case.history.count() == 2

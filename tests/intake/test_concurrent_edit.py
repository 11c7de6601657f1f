"""Two casemanagers on the same intake case: a save from a page opened before
the other's change is refused with what changed, the typed input stays on the
page, and saving again after seeing it works."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from core.concurrency import CONCURRENT_EDIT_MESSAGE
from core.scoping import Role
from intake import services
from intake.models import CaseDocument, IntakeCase, StageEvent
from tests.factories import CriterionFactory, user_with_role

D = datetime.date


@pytest.fixture
def case(almelo_process, candidate) -> IntakeCase:
    CriterionFactory(version__site=candidate.site, version__version=1)
    return services.case_open(
        site=candidate.site,
        person=candidate,
        opened_on=D(2020, 3, 2),
        entry_route=almelo_process.entry_routes.get(code="referral"),
        created_by=None,
        referring_person="Mw. Oud",
    )


@pytest.fixture
def two_sessions(almelo, casemanager_almelo):
    colleague = user_with_role(Role.CASEMANAGER, almelo, username="carla")
    first, second = Client(), Client()
    first.force_login(casemanager_almelo)
    second.force_login(colleague)
    return first, second


def _details(case: IntakeCase, version: int, **changes: str) -> dict[str, str]:
    data = {
        "entry_route": str(case.entry_route_id),
        "referring_person": case.referring_person,
        "heard_via": "",
        "report_date": "",
        "version": str(version),
    }
    data.update(changes)
    return data


def _stage(case: IntakeCase, code: str, version: int, **changes: str) -> dict:
    data = {
        "stage": str(case.process.stages.get(code=code).pk),
        "occurred_on": "2020-03-05",
        "outcome": "positive",
        "version": str(version),
    }
    data.update(changes)
    return data


def test_second_save_of_the_case_details_is_refused_and_keeps_the_input(
    case, two_sessions
):
    url = reverse("intake:case_update", args=[case.pk])
    first, second = two_sessions
    assert 'name="version" value="1"' in first.get(url).content.decode()
    assert 'name="version" value="1"' in second.get(url).content.decode()

    saved = first.post(url, _details(case, 1, referring_person="Dhr. Eerste"))
    assert saved.status_code == 302
    refused = second.post(
        url, _details(case, 1, referring_person="Mw. Tweede", report_date="2020-02-20")
    )

    assert refused.status_code == 200
    body = refused.content.decode()
    assert str(CONCURRENT_EDIT_MESSAGE) in body
    assert 'id="concurrent-edit"' in body
    changes = {c.field: c for c in refused.context["form"].concurrent_changes}
    assert changes["referring_person"].stored == "Dhr. Eerste"
    assert changes["referring_person"].submitted == "Mw. Tweede"
    # what the second user typed is still in the form
    assert 'value="Mw. Tweede"' in body
    assert 'value="2020-02-20"' in body
    case.refresh_from_db()
    assert (case.referring_person, case.report_date) == ("Dhr. Eerste", None)

    version = refused.context["form"]["version"].value()
    again = second.post(
        url,
        _details(
            case, version, referring_person="Mw. Tweede", report_date="2020-02-20"
        ),
    )

    assert again.status_code == 302
    case.refresh_from_db()
    assert (case.referring_person, case.report_date) == ("Mw. Tweede", D(2020, 2, 20))
    # both saves are in the audit history
    names = [h.referring_person for h in case.history.order_by("history_id")]
    assert names[-2:] == ["Dhr. Eerste", "Mw. Tweede"]


def test_stage_recorded_from_a_stale_case_page_is_refused_and_shows_the_other_stage(
    case, two_sessions
):
    detail = reverse("intake:case_detail", args=[case.pk])
    post_url = reverse("intake:case_event_create", args=[case.pk])
    first, second = two_sessions
    first.get(detail)
    second.get(detail)

    assert first.post(post_url, _stage(case, "screening", 1)).status_code == 302
    refused = second.post(
        post_url, _stage(case, "screening", 1, occurred_on="2020-03-09")
    )

    assert refused.status_code == 200
    body = refused.content.decode()
    assert str(CONCURRENT_EDIT_MESSAGE) in body
    changes = refused.context["event_form"].concurrent_changes
    assert [c.field for c in changes] == ["stageevent"]
    assert "(alice)" in str(changes[0].stored)
    # the typed date is still in the re-rendered form, and the stage the other
    # user recorded is on the page
    assert 'value="2020-03-09"' in body
    assert StageEvent.objects.filter(case=case).count() == 1
    assert StageEvent.objects.get(case=case).occurred_on == D(2020, 3, 5)

    # Having seen the screening, the second user records the next stage.
    version = refused.context["event_form"]["version"].value()
    again = second.post(
        post_url, _stage(case, "interview", version, occurred_on="2020-03-09")
    )

    assert again.status_code == 302
    assert sorted(StageEvent.objects.filter(case=case).values_list("stage__code")) == [
        ("interview",),
        ("screening",),
    ]


@pytest.mark.parametrize(
    ("url_name", "form_name", "data"),
    [
        ("case_document", "document_form", "document"),
        ("case_criterion", "check_form", "criterion"),
    ],
)
def test_documents_and_checklist_from_a_stale_page_are_refused(
    case, two_sessions, url_name, form_name, data
):
    first, second = two_sessions
    first.post(
        reverse("intake:case_event_create", args=[case.pk]),
        _stage(case, "screening", 1),
    )
    if data == "document":
        letter = case.process.stages.get(code="letter")
        payload = {"document": f"{letter.pk}:motivatiebrief"}
    else:
        criterion = case.criteria_version.criteria.first()
        payload = {f"result_{criterion.pk}": "met"}
    payload |= {"received_on": "2020-03-06", "checked_on": "2020-03-06"}

    refused = second.post(
        reverse(f"intake:{url_name}", args=[case.pk]), {**payload, "version": "1"}
    )

    assert refused.status_code == 200
    assert str(CONCURRENT_EDIT_MESSAGE) in refused.content.decode()
    assert refused.context[form_name].concurrent_changes
    assert not CaseDocument.objects.filter(case=case).exists()
    assert not case.criterion_checks.exists()


def test_ending_a_case_from_a_stale_page_is_refused(case, two_sessions):
    first, second = two_sessions
    first.post(
        reverse("intake:case_event_create", args=[case.pk]),
        _stage(case, "screening", 1),
    )

    refused = second.post(
        reverse("intake:case_close", args=[case.pk]),
        {"outcome": "withdrawn", "closed_on": "2020-03-10", "version": "1"},
    )

    assert refused.status_code == 200
    assert str(CONCURRENT_EDIT_MESSAGE) in refused.content.decode()
    assert 'value="2020-03-10"' in refused.content.decode()
    case.refresh_from_db()
    assert case.is_open

"""The worklist of a site whose DJI list opened thousands of cases at once
(issue 10): paged, counted in the database, in a bounded number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import Membership
from core.scoping import Role
from intake import services
from intake.models import StageOutcome
from intake.selectors import WORKLIST_PAGE_SIZE, worklist, worklist_page
from tests.factories import PersonFactory, UserFactory

# Middelburg's first stage, the start signal, is due 42 days before the
# report date (chapter 2): the one term that differs per case of a list.
CALL_UP_DAYS = 42


@pytest.fixture
def middelburg(reference):
    return reference["middelburg"]


@pytest.fixture
def casemanager(middelburg):
    user = UserFactory()
    Membership.objects.create(user=user, site=middelburg, role=Role.CASEMANAGER)
    return user


@pytest.fixture
def project_leader(middelburg):
    user = UserFactory()
    Membership.objects.create(user=user, site=middelburg, role=Role.PROJECT_LEADER)
    return user


def _list(site, count: int, first: int = 0):
    """``count`` cases opened at once from a list, as the import does, with
    report dates from 20 days ago onwards (some items overdue, some not)."""
    today = timezone.localdate()
    entries = [
        (
            PersonFactory(site=site),
            today + datetime.timedelta(days=(first + index) * 7 % 90 - 20),
        )
        for index in range(count)
    ]
    return services.cases_open_from_list(
        site=site,
        entries=entries,
        opened_on=today - datetime.timedelta(days=3),
        entry_route=None,
        created_by=None,
        import_batch=None,
    )


def _worked_on(site):
    """Three cases someone worked on, all past their start signal: one
    awaiting the pre-scan, one with a partner's answer in, one with an
    objection (to be closed)."""
    today = timezone.localdate()
    cases = []
    for answers in ({}, {"om": False}, {"om": False, "police": True}):
        case = services.case_open(
            site=site,
            person=PersonFactory(site=site),
            opened_on=today - datetime.timedelta(days=10),
            entry_route=None,
            created_by=None,
            report_date=today + datetime.timedelta(days=30),
        )
        services.stage_event_record(
            case=case,
            stage=case.process.stages.get(code="start_signal"),
            occurred_on=today - datetime.timedelta(days=2),
            outcome=StageOutcome.COMPLETED,
            actor=None,
        )
        for partner in ("om", "police", "reclassering", "veiligheidshuis"):
            if partner not in answers and len(answers) > 1:
                answers[partner] = False
        for partner, objection in answers.items():
            services.prescan_answer_record(
                case=case,
                partner=partner,
                asked_on=today - datetime.timedelta(days=1),
                answered_on=today,
                objection=objection,
                actor=None,
            )
        cases.append(case)
    return cases


def _shown(items):
    return [(i.case.pk, i.action, i.stage.code if i.stage else "") for i in items]


def test_every_page_of_the_worklist_is_the_matching_part_of_the_whole_list(
    casemanager, middelburg
):
    listed = _list(middelburg, 23)
    waiting, answered, ended = _worked_on(middelburg)
    today = timezone.localdate()
    whole = worklist(user=casemanager)
    pages = []
    for offset in range(0, len(whole), 7):
        page = worklist_page(user=casemanager, offset=offset, limit=7)
        assert page.total == len(whole)
        assert page.overdue == sum(1 for item in whole if item.overdue)
        pages += page.items
    assert _shown(pages) == _shown(whole)
    # every listed case: its start signal, due 42 days before its report date
    starts = {i.case.pk: i for i in whole if i.stage and i.stage.code == "start_signal"}
    for case in listed:
        due = case.report_date - datetime.timedelta(days=CALL_UP_DAYS)
        assert starts[case.pk].due == due
        assert starts[case.pk].overdue == (due < today)
        assert starts[case.pk].case.person.last_name
    by_case = {i.case.pk: i for i in whole}
    assert len(by_case[waiting.pk].partners) == 4
    assert len(by_case[answered.pk].partners) == 3
    assert by_case[ended.pk].action == "close"
    assert not {waiting.pk, answered.pk, ended.pk} & set(starts)
    # overdue first, then by due date
    keys = [(not i.overdue, i.due or datetime.date.max) for i in whole]
    assert keys == sorted(keys)
    assert 0 < page.overdue < page.total


def test_the_home_page_shows_the_first_items_and_counts_them_all(
    client, casemanager, middelburg
):
    _list(middelburg, 15)
    _worked_on(middelburg)
    client.force_login(casemanager)
    section = next(
        s
        for s in client.get(reverse("core:home")).context["sections"]
        if s.template == "intake/partials/_home.html"
    )
    whole = worklist(user=casemanager)
    assert _shown(section.context["items"]) == _shown(whole[:10])
    assert section.context["total"] == len(whole)
    assert section.context["overdue"] == sum(1 for item in whole if item.overdue)


def test_a_page_number_past_the_end_shows_the_last_page(
    client, casemanager, middelburg
):
    _list(middelburg, WORKLIST_PAGE_SIZE + 5)
    client.force_login(casemanager)
    for asked in ("2", "99", "10000000000000000000000", "-3", "x"):
        response = client.get(reverse("intake:worklist"), {"page": asked})
        assert response.status_code == 200
        page = response.context["page"]
        assert page.number == (2 if asked not in ("-3", "x") else 1)
        assert len(response.context["items"]) == (5 if page.number == 2 else 50)


def _queries(client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(context.captured_queries)


PAGES_WITH_MANY_OPEN_CASES = [
    ("casemanager", "core:home", [], {}),
    ("casemanager", "intake:worklist", [], {}),
    ("casemanager", "intake:worklist", [], {"page": "2"}),
    ("casemanager", "intake:case_list", [], {}),
    ("project_leader", "core:home", [], {}),
    ("project_leader", "dashboards:overview", [], {}),
    ("project_leader", "dashboards:site_dashboard", ["middelburg"], {}),
    ("project_leader", "dashboards:site_cases", ["middelburg"], {}),
    ("project_leader", "intake:funnel", ["middelburg"], {}),
]


@pytest.mark.parametrize(("who", "name", "args", "params"), PAGES_WITH_MANY_OPEN_CASES)
def test_pages_read_a_list_of_many_open_cases_in_a_fixed_number_of_queries(
    request, client, middelburg, who, name, args, params
):
    client.force_login(request.getfixturevalue(who))
    url = reverse(name, args=args)
    _worked_on(middelburg)
    _list(middelburg, 60)
    few = _queries(client, url, params)
    _list(middelburg, 240, first=60)
    assert _queries(client, url, params) <= few


@pytest.mark.parametrize(
    ("name", "shown"), [("core:home", 10), ("intake:worklist", WORKLIST_PAGE_SIZE)]
)
def test_worklists_read_only_the_cases_they_show(
    client, casemanager, middelburg, name, shown
):
    from django.db.models.signals import post_init

    from intake.models import IntakeCase

    worked_on = _worked_on(middelburg)
    _list(middelburg, 200)
    client.force_login(casemanager)
    read = []

    def count(sender, instance, **kwargs):
        read.append(instance.pk)

    post_init.connect(count, sender=IntakeCase)
    try:
        response = client.get(reverse(name))
    finally:
        post_init.disconnect(count, sender=IntakeCase)
    assert response.status_code == 200
    # the cases worked on are worked out one by one; of the listed ones only
    # those on the page are read
    assert len(set(read)) <= shown + len(worked_on)

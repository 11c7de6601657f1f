from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intake import services
from intake.models import CheckResult, IntakeOutcome, StageOutcome
from intake.selectors import funnel_for_site
from tests.factories import CriterionFactory, PersonFactory

D = datetime.date


def _case(process, opened_on, route="dji_list"):
    site = process.site
    return services.case_open(
        site=site,
        person=PersonFactory(site=site),
        opened_on=opened_on,
        entry_route=process.entry_routes.get(code=route),
        created_by=None,
    )


def _event(case, code, day, outcome=StageOutcome.POSITIVE):
    services.stage_event_record(
        case=case,
        stage=case.process.stages.get(code=code),
        occurred_on=day,
        outcome=outcome,
        actor=None,
    )


@pytest.fixture
def january(almelo_process):
    """Four cases opened in January 2020 and one in December 2019."""
    criterion = CriterionFactory(version__site=almelo_process.site)
    a = _case(almelo_process, D(2020, 1, 6))
    _event(a, "screening", D(2020, 1, 10))
    _event(a, "interview", D(2020, 1, 15))
    _event(a, "letter", D(2020, 1, 20), StageOutcome.COMPLETED)
    services.criterion_check_record(
        case=a,
        criterion=criterion,
        result=CheckResult.MET,
        checked_on=D(2020, 1, 20),
        actor=None,
    )
    services.case_place(
        case=a,
        decided_on=D(2020, 1, 30),
        place_type=almelo_process.site.place_types.get(),
        placed_on=D(2020, 2, 3),
        actor=None,
    )
    b = _case(almelo_process, D(2020, 1, 8), route="referral")
    _event(b, "screening", D(2020, 1, 16))
    _event(b, "interview", D(2020, 1, 18), StageOutcome.NEGATIVE)
    services.case_close(
        case=b,
        outcome=IntakeOutcome.REJECTED,
        closed_on=D(2020, 1, 20),
        actor=None,
        reasons=[services.EndReasonInput(code="negative_advice")],
    )
    c = _case(almelo_process, D(2020, 1, 13))
    _event(c, "screening", D(2020, 1, 14), StageOutcome.NEGATIVE)
    services.case_close(
        case=c,
        outcome=IntakeOutcome.REJECTED,
        closed_on=D(2020, 1, 14),
        actor=None,
        reasons=[
            services.EndReasonInput(code="criterion_not_met", criterion=criterion)
        ],
    )
    _case(almelo_process, D(2020, 1, 20))
    outside = _case(almelo_process, D(2019, 12, 1))
    _event(outside, "screening", D(2019, 12, 2))
    return {"a": a, "b": b, "c": c}


def test_funnel_numbers_match_the_hand_count(almelo, january):
    funnel = funnel_for_site(site=almelo, start=D(2020, 1, 1), end=D(2020, 1, 31))

    assert funnel.total == 4
    assert {r.key: r.count for r in funnel.routes} == {"dji_list": 3, "referral": 1}
    rows = {row.code: row for row in funnel.stages}
    assert [row.code for row in funnel.stages] == [
        "screening",
        "letter",
        "interview",
        "decision",
    ]
    screening = rows["screening"]
    assert (screening.reached, screening.passed, screening.failed) == (3, 2, 1)
    assert screening.conversion == pytest.approx(2 / 3)
    # waits from opening: 4, 8 and 1 days
    assert (screening.wait_median, screening.wait_min, screening.wait_max) == (4, 1, 8)
    interview = rows["interview"]
    assert (interview.reached, interview.passed, interview.failed) == (2, 1, 1)
    # waits from screening: 5 and 2 days
    assert (interview.wait_median, interview.wait_min, interview.wait_max) == (
        3.5,
        2,
        5,
    )
    # b reached the interview, which runs next to the letter: b got at
    # least as far as the letter, so the funnel does not rise from letter
    # to interview; waits are of the one letter recorded
    assert (rows["letter"].reached, rows["letter"].wait_median) == (2, 10)
    reached = [row.reached for row in funnel.stages]
    assert reached == sorted(reached, reverse=True)
    # the decision waits for the later of letter (20th) and interview (15th)
    decision = rows["decision"]
    assert (decision.reached, decision.passed, decision.wait_median) == (1, 1, 10)
    assert {o.key: o.count for o in funnel.outcomes} == {
        "open": 1,
        "placed": 1,
        "rejected": 2,
    }
    assert {r.key: r.count for r in funnel.end_reasons} == {
        "criterion_not_met": 1,
        "negative_advice": 1,
    }


def test_every_funnel_number_opens_the_cases_behind_it(
    client, project_leader_almelo, almelo, january
):
    client.force_login(project_leader_almelo)
    funnel = funnel_for_site(site=almelo, start=D(2020, 1, 1), end=D(2020, 1, 31))
    rows = {row.code: row for row in funnel.stages}
    url = reverse("intake:case_list")

    def listed(query: str) -> set[int]:
        response = client.get(f"{url}?{query}")
        return {case.pk for case in response.context["table"].data}

    a, b, c = january["a"].pk, january["b"].pk, january["c"].pk
    assert listed(rows["screening"].reached_query) == {a, b, c}
    assert listed(rows["screening"].failed_query) == {c}
    assert listed(rows["letter"].reached_query) == {a, b}
    assert listed(rows["decision"].reached_query) == {a}
    assert listed(rows["interview"].passed_query) == {a}
    assert len(listed(funnel.total_query)) == funnel.total
    reasons = {r.key: r.query for r in funnel.end_reasons}
    assert listed(reasons["negative_advice"]) == {b}
    routes = {r.key: r.query for r in funnel.routes}
    assert listed(routes["referral"]) == {b}

    page = client.get(
        reverse("intake:funnel", args=[almelo.code]),
        {"start": "2020-01-01", "end": "2020-01-31"},
    )
    assert (
        f'href="{url}?{rows["screening"].reached_query}"'.replace("&", "&amp;")
        in page.content.decode()
    )


def _grow(process, count: int) -> None:
    for index in range(count):
        case = _case(process, D(2020, 1, 2) + datetime.timedelta(days=index % 20))
        _event(case, "screening", D(2020, 1, 25))
        if index % 2:
            _event(case, "interview", D(2020, 1, 26))


def _queries(client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    ("name", "args", "params"),
    [
        ("intake:funnel", ["almelo"], {"start": "2020-01-01", "end": "2020-01-31"}),
        ("intake:worklist", [], {}),
        ("intake:case_list", [], {}),
    ],
)
def test_query_count_does_not_grow_with_the_number_of_cases(
    client,
    casemanager_almelo,
    almelo_process,
    django_assert_max_num_queries,
    name,
    args,
    params,
):
    client.force_login(casemanager_almelo)
    url = reverse(name, args=args)
    _grow(almelo_process, 3)
    few = _queries(client, url, params)
    _grow(almelo_process, 30)
    # session, user, memberships, then a fixed number of reads per page
    with django_assert_max_num_queries(few):
        client.get(url, params)
    assert few <= 16


def test_funnel_page_opens_on_the_default_period_and_says_so(
    client, project_leader_almelo, almelo
):
    from core.periods import Period

    client.force_login(project_leader_almelo)
    response = client.get(reverse("intake:funnel", args=[almelo.code]))
    default = Period.default()
    assert response.context["period"] == default
    assert (response.context["funnel"].start, response.context["funnel"].end) == (
        default.start,
        default.end,
    )
    assert 'id="period-default"' in response.content.decode()

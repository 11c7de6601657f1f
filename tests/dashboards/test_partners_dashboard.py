"""The partners dashboard: agreed against done per organisation, tasks taken
over, and the records behind every number."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.urls import reverse

from core.scoping import Role
from intake.models import PrescanAnswer, StageEvent
from partners.models import CaseRoleKind
from tests.factories import (
    IntakeCaseFactory,
    StayFactory,
    user_with_role,
)
from tests.factories.intake import IntakeProcessFactory, IntakeStageFactory
from tests.factories.partners import (
    CaseRoleFactory,
    OrganisationFactory,
    PartnerResponsibilityFactory,
    ResponsibilityTableFactory,
)
from tests.factories.trajectories import ActivityFactory, GoalFactory

D = datetime.date
PERIOD = {"start": "2020-01-01", "end": "2020-12-31"}
NUMBER = re.compile(r'<a class="number" href="([^"]+)">(\d+)</a>')


@pytest.fixture
def world(almelo, krimpen):
    """Almelo: a reclassering agreed to a stage, a pre-scan and a role, and
    the KV (PI) that took some of it over; Krimpen: the same national
    organisation at work, which Almelo's dashboard must never count."""
    reclassering = OrganisationFactory(name="Reclassering T", sites=[almelo])
    kv = OrganisationFactory(name="PI Almelo T", sites=[almelo])
    national = OrganisationFactory(name="Landelijk T")
    table = ResponsibilityTableFactory(site=almelo, number="2.1.1")
    PartnerResponsibilityFactory(
        table=table, partner="Reclassering", organisation=reclassering
    )
    PartnerResponsibilityFactory(table=table, partner="HvH", organisation=kv)
    PartnerResponsibilityFactory(table=table, partner="Zorgpartners")
    stage = IntakeStageFactory(
        process=IntakeProcessFactory(site=almelo),
        code="dossier",
        name="Dossieronderzoek",
        performer=reclassering,
    )
    cases = [IntakeCaseFactory(site=almelo) for _ in range(4)]
    for case, performer, day in [
        (cases[0], reclassering, D(2020, 5, 1)),
        (cases[1], kv, D(2020, 5, 2)),
        (cases[2], kv, D(2020, 5, 3)),
        (cases[3], kv, D(2019, 5, 3)),  # before the period
    ]:
        StageEvent.objects.create(
            case=case,
            stage=stage,
            occurred_on=day,
            outcome="positive",
            agreed_organisation=reclassering,
            performing_organisation=performer,
        )
    PrescanAnswer.objects.create(
        case=cases[0],
        partner="om",
        asked_on=D(2020, 5, 1),
        answered_on=D(2020, 5, 2),
        objection=False,
        agreed_organisation=national,
        performing_organisation=national,
    )
    stay = StayFactory(site=almelo, person=cases[0].person)
    goal = GoalFactory(plan__stay=stay)
    ActivityFactory(
        goal=goal,
        status="done",
        done_on=D(2020, 6, 1),
        responsible_organisation=reclassering,
        performing_organisation=kv,
    )
    ActivityFactory(  # planned: nobody did anything yet
        goal=goal, responsible_organisation=reclassering, performing_organisation=kv
    )
    CaseRoleFactory(
        person=cases[1].person,
        role=CaseRoleKind.PROBATION_OFFICER,
        agreed_organisation=reclassering,
        organisation=kv,
        started_on=D(2020, 3, 1),
    )
    # Krimpen: the national organisation at work, and a record that names
    # Almelo's reclassering; neither belongs on Almelo's dashboard.
    other_stage = IntakeStageFactory(process=IntakeProcessFactory(site=krimpen))
    for organisation in (national, reclassering):
        StageEvent.objects.create(
            case=IntakeCaseFactory(site=krimpen),
            stage=other_stage,
            occurred_on=D(2020, 5, 1),
            outcome="positive",
            agreed_organisation=organisation,
            performing_organisation=kv,
        )
    return {"reclassering": reclassering, "kv": kv, "national": national}


def _page(client, user, url, **params):
    client.force_login(user)
    response = client.get(url, {**PERIOD, **params})
    assert response.status_code == 200
    return response.content.decode()


def _numbers(page: str) -> list[tuple[str, int]]:
    return [(html.unescape(url), int(n)) for url, n in NUMBER.findall(page)]


def _dashboard(client, user) -> str:
    return _page(client, user, reverse("dashboards:site_partners", args=["almelo"]))


def _listed(client, user, url: str) -> int:
    client.force_login(user)
    page = client.get(url).content.decode()
    found = re.search(r'id="records-count">(\d+)', page)
    assert found, url
    return int(found.group(1))


def test_every_number_opens_exactly_the_records_it_counted(
    world, client, project_leader_almelo
):
    numbers = _numbers(_dashboard(client, project_leader_almelo))
    assert len(numbers) > 10
    for url, count in numbers:
        assert _listed(client, project_leader_almelo, url) == count, url


def test_tasks_taken_over_are_listed_with_who_took_them_over(
    world, client, project_leader_almelo
):
    page = _dashboard(client, project_leader_almelo)
    taken = page.split('id="taken-over"')[1].split("<tbody>")[1].split("</tbody>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", taken, re.S)
    text = [re.sub(r"<[^>]+>", "|", row) for row in rows]
    assert any(
        "Dossieronderzoek" in t and "Reclassering T" in t and ">2<" in rows[i]
        for i, t in enumerate(text)
    ), text
    # the stage, the activity done and the role; the planned activity and
    # the 2019 stage are outside what the period counts
    assert len(rows) == 3
    assert "Overgenomen door een andere partij" in page


def test_agreed_against_done_per_organisation(world, client, project_leader_almelo):
    numbers = dict(_numbers(_dashboard(client, project_leader_almelo)))
    reclassering = world["reclassering"].pk

    def count(kind: str, measure: str, organisation: int) -> int:
        for url, n in numbers.items():
            if (
                f"kind={kind}&" in url
                and f"measure={measure}&" in url
                and url.endswith(f"organisation={organisation}")
            ):
                return n
        raise AssertionError((kind, measure, organisation))

    assert count("stage", "agreed", reclassering) == 3
    assert count("stage", "own", reclassering) == 1
    assert count("stage", "taken_over", reclassering) == 2
    assert count("stage", "for_others", world["kv"].pk) == 2
    assert count("activity", "taken_over", reclassering) == 1
    assert count("role", "taken_over", reclassering) == 1


def test_another_sites_records_are_never_counted_or_listed(
    world, client, project_leader_almelo
):
    national = world["national"].pk
    page = _dashboard(client, project_leader_almelo)
    for url, n in _numbers(page):
        if url.endswith(f"organisation={national}"):
            # only Almelo's one pre-scan answer, never Krimpen's stage
            assert "kind=prescan" in url, url
            assert n in (0, 1)
    listed = _listed(
        client,
        project_leader_almelo,
        reverse("dashboards:site_partner_records", args=["almelo"])
        + f"?start=2020-01-01&end=2020-12-31&kind=stage&measure=agreed"
        f"&organisation={national}",
    )
    assert listed == 0


def test_other_sites_project_leader_gets_404(world, client, krimpen):
    leader = user_with_role(Role.PROJECT_LEADER, krimpen, username="kees")
    client.force_login(leader)
    for name in ("dashboards:site_partners", "dashboards:site_partner_records"):
        response = client.get(reverse(name, args=["almelo"]), PERIOD)
        assert response.status_code == 404, name


def test_researcher_reads_pseudonyms_never_names(
    world, client, researcher_almelo, project_leader_almelo
):
    url = reverse("dashboards:site_partner_records", args=["almelo"])
    params = {
        "kind": "stage",
        "measure": "agreed",
        "organisation": world["reclassering"].pk,
    }
    case = (
        StageEvent.objects.filter(case__site__code="almelo", occurred_on__year=2020)
        .first()
        .case
    )
    person = case.person
    research = _page(client, researcher_almelo, url, **params)
    assert person.pseudonym in research
    assert person.last_name not in research
    leader = _page(client, project_leader_almelo, url, **params)
    assert person.last_name in leader


def test_an_unknown_number_shows_a_message_not_an_error(
    world, client, project_leader_almelo
):
    url = reverse("dashboards:site_partner_records", args=["almelo"])
    for params in (
        {"kind": "nothing", "measure": "agreed"},
        {"kind": "stage", "measure": "x"},
        {"kind": "stage", "measure": "agreed", "organisation": "9" * 30},
        {"kind": "role", "measure": "taken_over", "task": "x" * 500, "page": "-1"},
    ):
        _page(client, project_leader_almelo, url, **params)


def test_dashboard_query_count_does_not_grow_with_records(
    world, client, almelo, project_leader_almelo, django_assert_num_queries
):
    client.force_login(project_leader_almelo)
    url = reverse("dashboards:site_partners", args=["almelo"])
    client.get(url, PERIOD)  # session warm-up
    stage = StageEvent.objects.filter(case__site=almelo).first().stage

    def queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, PERIOD).status_code == 200
        return len(captured)

    before = queries()
    for _ in range(5):
        StageEvent.objects.create(
            case=IntakeCaseFactory(site=almelo),
            stage=stage,
            occurred_on=D(2020, 7, 1),
            outcome="positive",
            agreed_organisation=OrganisationFactory(sites=[almelo]),
            performing_organisation=world["kv"],
        )
    assert queries() == before
    # session, user, memberships, site and the page's menu (8); the
    # responsibility rows; per kind of record three (taken-over tasks,
    # organisations present, counts); the organisations; the tables
    assert before <= 24

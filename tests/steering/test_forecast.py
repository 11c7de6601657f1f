"""The target-group forecast against realised inflow on the dashboards."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import AuditEvent, AuditKind, Site
from core.periods import Period
from core.scoping import Role
from dashboards.forecast import forecast_panel, month_rows
from dashboards.metrics import rows_behind
from dashboards.scope import Scope
from dashboards.selectors import intake as dashboard_intake
from intake.models import StageEvent
from steering.models import ForecastAlertRule, ForecastVersion
from steering.reference import steering_load
from tests.factories import (
    IntakeCaseFactory,
    IntakeProcessFactory,
    IntakeStageFactory,
    SiteFactory,
    StayFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2021-01-01", "end": "2021-06-30"}


@pytest.fixture
def site():
    site = SiteFactory(code="middelburg", name="KV Middelburg")
    ForecastVersion.objects.create(
        site=site,
        version=1,
        valid_from=datetime.date(2020, 3, 1),
        candidates_per_year=120,
        placements_per_year=24,
        source="Projectplan",
        basis="Inschatting projectleider",
    )
    return site


@pytest.fixture
def leader(site):
    return user_with_role(Role.PROJECT_LEADER, site)


def _dashboard(client, user, site, **period):
    client.force_login(user)
    url = reverse("dashboards:site_dashboard", args=[site.code])
    return client.get(url, period or PERIOD).content.decode()


def test_dashboard_shows_expected_against_realised_per_month(client, site, leader):
    for day in (3, 10, 17):
        IntakeCaseFactory(site=site, opened_on=datetime.date(2021, 2, day))
    StayFactory(site=site, placed_on=datetime.date(2021, 2, 20))
    body = _dashboard(client, leader, site)
    assert 'id="panel-forecast"' in body
    assert "Kandidaten verwacht" in body
    # 120 a year is 10 a month, 24 placements a year is 2 a month
    row = body.split('<th scope="row">Feb 2021</th>')[1].split("</tr>")[0]
    assert ">10.0<" in row
    assert ">3</a>" in row
    assert ">2.0<" in row
    assert ">1</a>" in row


def test_warning_when_inflow_stays_below_the_share_for_the_months(client, site, leader):
    # one case a month against ten expected: below 50% for months on end
    for month in range(1, 7):
        IntakeCaseFactory(site=site, opened_on=datetime.date(2021, month, 5))
    body = _dashboard(client, leader, site)
    assert 'id="warnings-forecast"' in body
    assert "Kandidaten bleven de laatste 3 maanden onder 50% van de prognose" in body


def test_no_warning_when_inflow_meets_the_forecast(client, site, leader):
    for month in range(1, 7):
        for day in range(1, 9):
            IntakeCaseFactory(site=site, opened_on=datetime.date(2021, month, day))
        StayFactory(site=site, placed_on=datetime.date(2021, month, 10))
        StayFactory(site=site, placed_on=datetime.date(2021, month, 12))
    body = _dashboard(client, leader, site)
    assert 'id="warnings-forecast"' not in body


def test_the_warning_rule_is_per_site_data(client, site, leader):
    for month in range(1, 7):
        IntakeCaseFactory(site=site, opened_on=datetime.date(2021, month, 5))
    # one case of ten expected is 10%: below 50%, not below 5%
    ForecastAlertRule.objects.create(site=site, share_percent=5, months=3)
    body = _dashboard(client, leader, site)
    assert "Kandidaten bleven" not in body
    # no placement at all stays below any share
    assert "Plaatsingen bleven de laatste 3 maanden onder 5% van de prognose" in body
    ForecastAlertRule.objects.filter(site=site).update(share_percent=50, months=12)
    # six months in the period: twelve cannot be judged yet
    assert 'id="warnings-forecast"' not in _dashboard(client, leader, site)


def test_programme_overview_names_the_site_with_the_warning(client, site):
    other = SiteFactory(code="almelo", name="KV Almelo")
    user = user_with_role(Role.PROJECT_LEADER, site, other)
    client.force_login(user)
    body = client.get(reverse("dashboards:overview"), PERIOD).content.decode()
    assert 'id="panel-forecast"' in body
    assert "KV Middelburg: Kandidaten bleven" in body
    assert "KV Almelo: " not in body


def test_a_revised_forecast_applies_from_its_start(client, site, leader):
    ForecastVersion.objects.create(
        site=site,
        version=2,
        valid_from=datetime.date(2021, 4, 1),
        candidates_per_year=60,
        source="Herziening",
        basis="Minder kandidaten",
    )
    body = _dashboard(client, leader, site)
    march = body.split('<th scope="row">Mrt 2021</th>')[1].split("</tr>")[0]
    april = body.split('<th scope="row">Apr 2021</th>')[1].split("</tr>")[0]
    assert ">10.0<" in march
    assert ">5.0<" in april


def test_project_leader_records_a_new_version_and_it_is_audited(client, site, leader):
    client.force_login(leader)
    url = reverse("steering:forecast_create", args=[site.code])
    response = client.post(
        url,
        {
            "valid_from": "2022-01-01",
            "placements_per_year": "12",
            "source": "Projectplan 2022",
            "basis": "Dossieronderzoek over een jaar",
        },
    )
    assert response.status_code == 302
    version = ForecastVersion.objects.get(site=site, version=2)
    assert version.placements_per_year == 12
    assert version.created_by == leader
    event = AuditEvent.objects.get(kind=AuditKind.STEERING)
    assert event.site == site
    page = client.get(reverse("steering:forecast", args=[site.code])).content.decode()
    assert "Projectplan 2022" in page
    assert "Dossieronderzoek over een jaar" in page


def test_a_forecast_without_any_figure_is_refused_with_the_input_kept(
    client, site, leader
):
    client.force_login(leader)
    url = reverse("steering:forecast_create", args=[site.code])
    response = client.post(
        url, {"valid_from": "2022-01-01", "source": "Plan X", "basis": "b"}
    )
    assert response.status_code == 200
    assert "Vul ten minste één getal in" in response.content.decode()
    assert "Plan X" in response.content.decode()
    assert ForecastVersion.objects.filter(site=site).count() == 1


def test_casemanager_reads_the_forecast_but_cannot_change_it(client, site):
    casemanager = user_with_role(Role.CASEMANAGER, site)
    client.force_login(casemanager)
    page = client.get(reverse("steering:forecast", args=[site.code]))
    assert page.status_code == 200
    assert "forecast-create" not in page.content.decode()
    url = reverse("steering:forecast_rule", args=[site.code])
    assert client.get(url).status_code == 403


def test_project_leader_changes_the_warning_rule(client, site, leader):
    client.force_login(leader)
    url = reverse("steering:forecast_rule", args=[site.code])
    assert client.post(url, {"share_percent": "70", "months": "2"}).status_code == 302
    rule = ForecastAlertRule.objects.get(site=site)
    assert (rule.share_percent, rule.months) == (70, 2)
    response = client.post(url, {"share_percent": "0", "months": "99"})
    assert response.status_code == 200
    rule.refresh_from_db()
    assert (rule.share_percent, rule.months) == (70, 2)


def test_reference_file_holds_the_reports_figures():
    for code in ("almelo", "krimpen", "middelburg", "rotterdam"):
        SiteFactory(code=code, name=f"KV {code}")
    steering_load()
    middelburg = Site.objects.get(code="middelburg")
    figures = list(
        ForecastVersion.objects.filter(site=middelburg)
        .order_by("version")
        .values_list("candidates_per_year", flat=True)
    )
    assert figures == [150, 85]  # report L4018-4019
    assert not ForecastVersion.objects.filter(site__code="almelo").exists()
    kinds = set(middelburg.meeting_kinds.values_list("code", flat=True))
    assert kinds == {"stuurgroep", "casusoverleg", "diz_overleg"}


def _forecast_site(code: str) -> Site:
    other = SiteFactory(code=code, name=f"KV {code}")
    ForecastVersion.objects.create(
        site=other,
        version=1,
        valid_from=datetime.date(2020, 1, 1),
        candidates_per_year=120,
        intakes_per_year=60,
        placements_per_year=24,
        source="Projectplan",
        basis="Inschatting",
    )
    return other


def _monthly_cases(site: Site, months: range) -> None:
    """Per month: cases opened (one reaching an assessment) and a placement."""
    process = IntakeProcessFactory(site=site)
    stage = IntakeStageFactory(process=process, code="screening", order=1)
    for month in months:
        for day in range(1, month % 3 + 2):
            IntakeCaseFactory(
                site=site, process=process, opened_on=datetime.date(2021, month, day)
            )
        reached = IntakeCaseFactory(
            site=site, process=process, opened_on=datetime.date(2021, month, 20)
        )
        StageEvent.objects.create(
            case=reached,
            stage=stage,
            occurred_on=datetime.date(2021, month, 21),
            outcome="positive",
        )
        StayFactory(site=site, placed_on=datetime.date(2021, month, 15))


def _panel_queries(site_ids: tuple[int, ...], start: str, end: str) -> int:
    scope = Scope(
        site_ids,
        Period(datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)),
        "/cases/",
    )
    with CaptureQueriesContext(connection) as captured:
        forecast_panel(scope)
    return len(captured)


def test_forecast_costs_the_same_queries_for_any_months_and_sites(site):
    _monthly_cases(site, range(1, 3))
    two_months = _panel_queries((site.pk,), "2021-01-01", "2021-02-28")
    others = [_forecast_site(code) for code in ("almelo", "krimpen", "rotterdam")]
    for one in (site, *others):
        _monthly_cases(one, range(3, 13))
    site_ids = tuple(s.pk for s in (site, *others))
    # a year of months, four sites that each have a forecast (and so are
    # each judged for a warning): no query more than for one site's two months
    assert _panel_queries(site_ids, "2021-01-01", "2021-12-31") == two_months


def test_each_months_realised_figure_is_the_funnel_and_inflow_of_that_month(site):
    other = _forecast_site("almelo")
    for one in (site, other):
        _monthly_cases(one, range(1, 7))
    period = Period(datetime.date(2021, 1, 1), datetime.date(2021, 6, 30))
    scope = Scope((site.pk, other.pk), period, "/cases/")
    rows = month_rows(scope)
    assert len(rows) == 6
    for row in rows:
        month_scope = Scope(scope.site_ids, row.period, "/cases/")
        found = dashboard_intake.funnel(month_scope)
        assessed = sum(s.reached for s in found.stages if s.key == "assessment")
        inflow = rows_behind(month_scope, "inflow", row.month.strftime("%Y-%m"))
        assert row.realised["candidates"] == found.opened
        assert row.realised["intakes"] == assessed == 2
        assert row.realised["placements"] == inflow.rows.count() == 2
        opened = rows_behind(month_scope, "intake", "").rows.count()
        assert opened == found.opened == 2 * (row.month.month % 3 + 2)

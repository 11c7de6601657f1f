"""Per site, one candidate walked from entry to placement and one to a
site-specific negative end, through the browser."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from core.models import CapacityPeriod, Criterion, SiteStatus, SiteStatusPeriod
from core.reference import sites_load
from core.scoping import Role
from evaluation.derived import resolve
from intake import services
from intake.models import IntakeCase, IntakeStageDefinition
from intake.reference import intake_processes_load
from partners.models import Consent, ConsentKind
from partners.reference import partners_load
from tests.browser.test_login_scoping import log_in
from tests.factories import PersonFactory, user_with_role
from trajectories.models import Stay
from trajectories.reference import plans_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = datetime.date


@pytest.fixture
def sites(db):
    loaded = {site.code: site for site in sites_load()}
    intake_processes_load()
    return loaded


class Walker:
    def __init__(self, page, live_server, site):
        self.page, self.url, self.site = page, live_server.url, site
        user_with_role(Role.CASEMANAGER, site, username=f"cm-{site.code}")
        log_in(page, live_server, f"cm-{site.code}")
        self.case: IntakeCase | None = None

    def submit(self, form: str) -> None:
        with self.page.expect_navigation():
            self.page.click(f"{form} button[type=submit]")

    def open_case(self, opened_on: D, route: str, report_date: D | None = None) -> None:
        person = PersonFactory(site=self.site, last_name=f"Kandidaat{self.site.code}")
        self.page.goto(f"{self.url}{person.get_absolute_url()}")
        with self.page.expect_navigation():
            self.page.click("#open-intake-case")
        self.page.fill("#case-open-form input[name=opened_on]", opened_on.isoformat())
        process = services.process_on(site=self.site, day=opened_on)
        route_pk = process.entry_routes.get(code=route).pk
        self.page.select_option(
            "#case-open-form select[name=entry_route]", str(route_pk)
        )
        self.page.select_option("#case-open-form select[name=heard_via]", "staff")
        if report_date:
            self.page.fill(
                "#case-open-form input[name=report_date]", report_date.isoformat()
            )
        self.submit("#case-open-form")
        self.case = IntakeCase.objects.get(person=person)
        assert self.page.url.endswith(self.case.get_absolute_url())

    def unfold(self, fold: str) -> None:
        """Open a folded part of the case page, as a user clicks its summary."""
        if self.page.get_attribute(fold, "open") is None:
            self.page.click(f"{fold} > summary")

    def stage(self, code: str) -> IntakeStageDefinition:
        return self.case.process.stages.get(code=code)

    def record(self, code: str, day: D, outcome: str = "positive") -> None:
        self.page.select_option(
            "#event-form select[name=stage]", str(self.stage(code).pk)
        )
        self.page.fill("#event-form input[name=occurred_on]", day.isoformat())
        self.page.select_option("#event-form select[name=outcome]", outcome)
        self.submit("#event-form")
        row = self.page.locator(f'#stages tr[data-stage="{code}"]')
        assert day.strftime("%-d-%-m-%Y") in row.text_content()

    def walk(self, steps: list[tuple[str, D, str]]) -> None:
        for code, day, outcome in steps:
            self.record(code, day, outcome)

    def prescan(self, answers: dict[str, bool], asked: D, answered: D) -> None:
        for partner, objection in answers.items():
            self.unfold("#fold-prescan")
            self.page.select_option("#prescan-form select[name=partner]", partner)
            self.page.fill("#prescan-form input[name=asked_on]", asked.isoformat())
            self.page.fill(
                "#prescan-form input[name=answered_on]", answered.isoformat()
            )
            choice = "yes" if objection else "no"
            self.page.check(f'#prescan-form input[name=objection][value="{choice}"]')
            self.submit("#prescan-form")

    def checklist(self, day: D, results: dict[str, str] | None = None) -> None:
        """Answer every criterion not answered yet: met, unless ``results``
        says otherwise (criterion code -> result)."""
        results = results or {}
        self.unfold("#fold-criteria")
        answered = set(self.case.criterion_checks.values_list("criterion", flat=True))
        for criterion in self.case.criteria_version.criteria.exclude(pk__in=answered):
            self.page.select_option(
                f"#criterion-form select[name=result_{criterion.pk}]",
                results.get(criterion.code, "met"),
            )
        self.page.fill("#criterion-form input[name=checked_on]", day.isoformat())
        self.submit("#criterion-form")

    def try_place(self, place_type: str, decided: D, placed: D) -> None:
        if not self.page.locator("#place-form").count():
            with self.page.expect_navigation():
                self.page.click("#place-link")
        place_type_pk = self.site.place_types.get(code=place_type).pk
        self.page.fill("#place-form input[name=decided_on]", decided.isoformat())
        self.page.select_option(
            "#place-form select[name=place_type]", str(place_type_pk)
        )
        self.page.fill("#place-form input[name=placed_on]", placed.isoformat())
        self.submit("#place-form")

    def place(self, place_type: str, decided: D, placed: D) -> None:
        if self.case.criteria_version and self.page.locator("#criterion-form").count():
            self.checklist(decided)
        self.try_place(place_type, decided, placed)
        assert self.page.get_attribute("#case-outcome", "data-outcome") == "placed"
        stay = Stay.objects.get(intake_case=self.case)
        assert (stay.placed_on, stay.place_type.code) == (placed, place_type)
        assert self.page.locator("#case-stay").count() == 1

    def close(
        self,
        outcome: str,
        day: D,
        reasons: list[str],
        stage: str = "",
        criteria: list[Criterion] = (),
        partners: list[str] = (),
    ) -> None:
        with self.page.expect_navigation():
            self.page.click("#close-link")
        self.page.select_option("#close-form select[name=outcome]", outcome)
        self.page.fill("#close-form input[name=closed_on]", day.isoformat())
        for reason in reasons:
            self.page.check(f'#close-form input[name=reasons][value="{reason}"]')
        for criterion in criteria:
            self.page.check(f'#close-form input[name=criteria][value="{criterion.pk}"]')
        for partner in partners:
            self.page.check(
                f'#close-form input[name=prescan_partners][value="{partner}"]'
            )
        if stage:
            self.page.select_option(
                "#close-form select[name=stage]", str(self.stage(stage).pk)
            )
        self.submit("#close-form")
        assert self.page.get_attribute("#case-outcome", "data-outcome") == outcome
        shown = self.page.locator("#end-reasons li").evaluate_all(
            "items => items.map(i => i.dataset.code)"
        )
        assert sorted(set(shown)) == sorted(reasons)
        assert not Stay.objects.filter(intake_case=self.case).exists()


P, N, C = "positive", "negative", "completed"


def _almelo_until_weegtafel(w: Walker) -> None:
    w.open_case(D(2021, 3, 1), "dji_list")
    w.walk(
        [
            ("selection", D(2021, 3, 2), P),
            ("inform_partners", D(2021, 3, 3), C),
            ("inform_detainee", D(2021, 3, 4), C),
            ("pi_transfer_procedure", D(2021, 3, 5), P),
            ("dossier_mdo", D(2021, 3, 8), P),
            ("intake_interview", D(2021, 3, 9), P),
            # the letter may follow the intake interview (report L543-545)
            ("motivation_letter", D(2021, 3, 10), P),
        ]
    )


def _errors(page, form: str) -> str:
    return page.locator(f"{form} .errornote").inner_text()


def test_almelo_candidate_is_placed_after_the_diz_decision(live_server, page, sites):
    partners_load()
    w = Walker(page, live_server, sites["almelo"])
    _almelo_until_weegtafel(w)
    w.record("weegtafel", D(2021, 3, 12))
    # every Almelo criterion is hard: "met" or "not met", never an exception
    first = w.case.criteria_version.criteria.order_by("order").first()
    options = page.locator(
        f"#criterion-form select[name=result_{first.pk}] option"
    ).evaluate_all("options => options.map(o => o.value)")
    assert options == ["", "met", "not_met"]
    # a blank checklist and no consent: refused, naming what is missing
    w.try_place("bba", D(2021, 3, 15), D(2021, 3, 16))
    errors = _errors(page, "#place-form")
    criteria = w.case.criteria_version.criteria
    with translation.override("nl"):
        named = [
            services.criterion_label(criteria.get(code=code))
            for code in ("alm_v1_in_09", "alm_v1_ex_10")
        ]
    for missing in ("19", *named):
        assert missing in errors
    with translation.override("nl"):
        label = str(ConsentKind.INFORMATION_EXCHANGE.label)
    assert label in errors
    assert not Stay.objects.filter(intake_case=w.case).exists()
    # the consent statement received with the intake interview is the consent
    page.goto(f"{w.url}{w.case.get_absolute_url()}")
    w.checklist(D(2021, 3, 12))
    stage = w.stage("intake_interview")
    w.unfold("#fold-documents")
    page.select_option(
        "#document-form select[name=document]", f"{stage.pk}:toestemmingsverklaring"
    )
    page.fill("#document-form input[name=received_on]", "2021-03-09")
    w.submit("#document-form")
    page.goto(f"{w.url}{w.case.person.get_absolute_url()}")
    assert page.locator("#consent-warnings").count() == 0
    page.goto(f"{w.url}{w.case.get_absolute_url()}")
    w.place("bba", D(2021, 3, 15), D(2021, 3, 16))
    consent = Consent.objects.get(person=w.case.person)
    assert consent.given_on == D(2021, 3, 9)


def test_almelo_candidate_is_rejected_at_the_weegtafel(live_server, page, sites):
    w = Walker(page, live_server, sites["almelo"])
    w.open_case(D(2021, 3, 1), "partner_referral")
    w.walk([("selection", D(2021, 3, 2), P), ("inform_partners", D(2021, 3, 3), C)])
    # weegtafel before the letter and the interview is refused with the reason
    w.page.select_option("#event-form select[name=stage]", str(w.stage("weegtafel").pk))
    w.page.fill("#event-form input[name=occurred_on]", "2021-03-04")
    w.page.select_option("#event-form select[name=outcome]", "positive")
    w.submit("#event-form")
    with translation.override("nl"):
        expected = str(services.PREREQUISITES_MISSING) % {
            "stage": w.stage("weegtafel").name,
            "missing": "; ".join(
                w.stage(code).name for code in ("motivation_letter", "intake_interview")
            ),
        }
    assert expected in page.locator("#event-form .errornote").inner_text()
    w.walk(
        [
            ("inform_detainee", D(2021, 3, 4), C),
            ("motivation_letter", D(2021, 3, 5), P),
            ("dossier_mdo", D(2021, 3, 8), P),
            ("intake_interview", D(2021, 3, 9), P),
            ("weegtafel", D(2021, 3, 12), N),
        ]
    )
    w.close("rejected", D(2021, 3, 12), ["negative_advice"], stage="weegtafel")


def test_amsterdam_candidate_would_be_placed_after_ratification(
    live_server, page, sites
):
    """Amsterdam was never realised; this walks its planned pipeline with an
    added (counterfactual) open period and realised capacity."""
    amsterdam = sites["amsterdam"]
    SiteStatusPeriod.objects.create(
        site=amsterdam, status=SiteStatus.OPEN, start=D(2020, 1, 1), end=D(2021, 3, 31)
    )
    CapacityPeriod.objects.create(
        place_type=amsterdam.place_types.get(code="gedetineerde"),
        places=15,
        valid_from=D(2020, 1, 1),
    )
    w = Walker(page, live_server, amsterdam)
    w.open_case(D(2020, 2, 3), "raadkamer_advice")
    w.walk(
        [
            ("preparation", D(2020, 2, 4), P),
            ("screening_mdo", D(2020, 2, 10), P),
            ("weegcommissie", D(2020, 2, 17), P),
        ]
    )
    # the start meeting is no intake stage: it follows the placement
    assert page.locator('#stages tr[data-stage="start_meeting"]').count() == 0
    w.place("gedetineerde", D(2020, 2, 20), D(2020, 2, 24))
    plans_load()  # the steps after placement are reference data of the plans
    with page.expect_navigation():
        page.click("#case-stay a")
    with page.expect_navigation():
        page.click("#stay-step-create")
    page.fill("#object-form input[name=occurred_on]", "2020-02-25")
    w.submit("#object-form")
    row = page.locator('#stay-steps tr[data-step="start_meeting"]').inner_text()
    assert "25-2-2020" in row
    stay = Stay.objects.get(intake_case=w.case)
    assert resolve("stay_step.start_meeting", stay).value is True


def test_amsterdam_weegcommissie_is_not_unanimous(live_server, page, sites):
    w = Walker(page, live_server, sites["amsterdam"])
    w.open_case(D(2020, 2, 3), "raadkamer_advice")
    w.walk(
        [
            ("preparation", D(2020, 2, 4), P),
            ("screening_mdo", D(2020, 2, 10), P),
            ("weegcommissie", D(2020, 2, 17), N),
        ]
    )
    w.close("rejected", D(2020, 2, 18), ["negative_advice"], stage="weegcommissie")


def _krimpen_until_trial(w: Walker) -> None:
    w.open_case(D(2020, 6, 1), "dc1_transfer")
    w.walk(
        [
            ("plusprogramma", D(2020, 6, 1), P),
            ("application", D(2020, 6, 3), C),
            ("application_review", D(2020, 6, 5), P),
            ("introduction", D(2020, 6, 8), C),
        ]
    )


def test_krimpen_candidate_is_placed_in_dc2a_after_the_trial_period(
    live_server, page, sites
):
    w = Walker(page, live_server, sites["krimpen"])
    _krimpen_until_trial(w)
    trial = page.locator('#stages tr[data-stage="trial_period"]').text_content()
    assert "20-7-2020" in trial  # six weeks after the introduction
    w.record("trial_period", D(2020, 7, 20))
    w.checklist(D(2020, 7, 20))
    plans_load()  # Krimpen's phases with their regime and legal title
    w.try_place("gesloten", D(2020, 7, 22), D(2020, 7, 22))
    stay = Stay.objects.get(intake_case=w.case)
    assert stay.legal_title == "closed_regime"
    page.goto(f"{w.url}{w.case.person.get_absolute_url()}")
    assert page.locator("#stay-create-link").count() == 0


def test_krimpen_placement_offers_the_place_types_of_the_day(live_server, page, sites):
    w = Walker(page, live_server, sites["krimpen"])
    _krimpen_until_trial(w)
    w.record("trial_period", D(2020, 7, 20))
    w.checklist(D(2020, 7, 20))
    with page.expect_navigation():
        page.click("#place-link")
    offered = page.locator("#place-form select[name=place_type] option").evaluate_all(
        "options => options.map(o => o.textContent)"
    )
    offered = [o for o in offered if o.strip("-")]
    assert len(offered) == 1
    assert offered[0].startswith("Gesloten plaats (DC IIa) (1-5-2020")


def test_krimpen_candidate_fails_the_trial_period(live_server, page, sites):
    w = Walker(page, live_server, sites["krimpen"])
    _krimpen_until_trial(w)
    w.record("trial_period", D(2020, 7, 1), N)
    w.close("rejected", D(2020, 7, 2), ["negative_advice"], stage="trial_period")


def _middelburg_to_prescan(w: Walker, police_objects: bool) -> None:
    w.open_case(D(2020, 9, 1), "diz_call_up", report_date=D(2020, 10, 27))
    w.record("start_signal", D(2020, 9, 1), C)
    w.prescan(
        {
            "om": False,
            "police": police_objects,
            "reclassering": False,
            "veiligheidshuis": False,
        },
        D(2020, 9, 2),
        D(2020, 9, 9),
    )
    outcome = "negative" if police_objects else "positive"
    assert w.case.events.get(stage__code="prescan").outcome == outcome


def test_middelburg_self_reporter_is_placed_by_the_pi_management(
    live_server, page, sites
):
    w = Walker(page, live_server, sites["middelburg"])
    _middelburg_to_prescan(w, police_objects=False)
    w.walk(
        [
            ("invitation", D(2020, 9, 11), P),
            ("employer_consent", D(2020, 9, 14), P),
            ("screening", D(2020, 10, 5), P),
        ]
    )
    # only "structurele dagbesteding" is hard: it offers no exception
    for criterion in w.case.criteria_version.criteria.all():
        options = page.locator(
            f"#criterion-form select[name=result_{criterion.pk}] option"
        ).evaluate_all("options => options.map(o => o.value)")
        assert ("exception" in options) is (not criterion.hard), criterion.code
    w.place("laag", D(2020, 10, 20), D(2020, 10, 27))


def test_middelburg_prescan_objection_hands_back_to_diz(live_server, page, sites):
    w = Walker(page, live_server, sites["middelburg"])
    _middelburg_to_prescan(w, police_objects=True)
    assert "text" not in page.locator("#prescan-answers").inner_html().lower()
    w.close(
        "handed_back",
        D(2020, 9, 10),
        ["prescan_objection"],
        stage="prescan",
        partners=["police"],
    )
    assert w.case.end_reasons.get().prescan_partner == "police"


def test_rotterdam_rc_places_with_suspension(live_server, page, sites):
    w = Walker(page, live_server, sites["rotterdam"])
    w.open_case(D(2019, 5, 6), "lawyer")
    w.record("nomination", D(2019, 5, 8))
    w.place("zbbi", D(2019, 5, 10), D(2019, 5, 10))


def test_rotterdam_rc_refuses_on_the_expected_sentence(live_server, page, sites):
    w = Walker(page, live_server, sites["rotterdam"])
    w.open_case(D(2019, 5, 6), "steering_group")
    w.walk([("nomination", D(2019, 5, 8), P), ("rc_decision", D(2019, 5, 10), N)])
    criterion = w.case.criteria_version.criteria.get(code="rot_v1_in_01")
    w.close(
        "rejected",
        D(2019, 5, 10),
        ["criterion_not_met"],
        stage="rc_decision",
        criteria=[criterion],
    )
    assert w.case.end_reasons.get().criterion == criterion

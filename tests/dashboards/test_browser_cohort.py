"""Issue 13's "done when", per realised site, through the browser.

A casemanager enters a small cohort the way the application asks (person,
intake case through its stages, placement, a plan with a goal and an
activity, job search, a job, outflow); a researcher completes the
measurements in the measurement form (a conditional "Indien ja" item
included) and requests the research export, which the task queue builds
(in the server's process, KV_TASKS_SYNC, as every export test does), and
downloads it. The downloaded files then open without a warning in GNU PSPP,
pyreadstat and pandas, typed and labelled in Dutch, hold no cancelled or
never-taken measurement, pass the checks Excel makes when it opens a
workbook, and give back the dashboard's figures from their per-person sheets
alone.

The realised sites come from the reference data: those with an intake
process and an "open" status period. The browser enters two people per
site; nothing is added through the services.
"""

from __future__ import annotations

import datetime
import html
import io
import re
import zipfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from core.models import Person, PlaceType, Site
from core.scoping import Role
from dashboards.b7 import b7_definition
from dashboards.models import ExportJob, ExportStatus
from evaluation.models import Item, Measurement
from evaluation.services import items_for
from intake.models import IntakeCase, StageKind, StageOutcome
from partners.models import Organisation
from partners.selectors import consents_missing_for_placement
from tests.browser.test_login_scoping import log_in
from tests.dashboards.files import (
    as_dicts,
    compare_with_workbook,
    excel_problems,
    workbook_sheets,
)
from tests.dashboards.test_export_files import recompute_b7
from tests.factories import user_with_role
from trajectories.models import Employment, Goal, GoalDomain, IndividualPlan, Stay
from trajectories.models.stays import OutflowType
from trajectories.services import capacity_on

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = datetime.date
REFERENCE = Path(settings.BASE_DIR) / "fixtures" / "reference"


def realised_sites() -> list[str]:
    """Sites with an intake process that were open at some time."""
    sites = yaml.safe_load((REFERENCE / "sites.yaml").read_text(encoding="utf-8"))
    processes = yaml.safe_load(
        (REFERENCE / "intake_stages.yaml").read_text(encoding="utf-8")
    )
    with_intake = {process["site"] for process in processes["processes"]}
    return [
        site["code"]
        for site in sites["sites"]
        if site["code"] in with_intake
        and any(s["status"] == "open" for s in site.get("statuses", []))
    ]


def first_open_day(site: Site) -> D:
    data = yaml.safe_load((REFERENCE / "sites.yaml").read_text(encoding="utf-8"))
    (entry,) = [s for s in data["sites"] if s["code"] == site.code]
    return min(s["start"] for s in entry["statuses"] if s["status"] == "open")


#: an English code where a label belongs
CODE_WORD = re.compile(r"[a-z0-9]+(_[a-z0-9]+)+")
#: the dashboard's counts of stays, recomputed from the "verblijven" sheet
FLOW_METRICS = ("inflow_participants", "inflow_others", "outflow", "exit")
FIGURE = re.compile(r'<a (data-statistic )?href="([^"]*/cases/\?[^"]*)">([^<]*)</a>')


def dashboard_figures(body: str) -> dict[tuple[str, str], int]:
    """Every count on a dashboard page that opens its case list, by the
    (metric, key) of its link."""
    figures = {}
    for statistic, href, text in FIGURE.findall(body):
        query = parse_qs(urlsplit(html.unescape(href)).query)
        if text.strip().isdigit() and not statistic:
            key = (query["metric"][0], query.get("key", [""])[0])
            figures[key] = int(text.strip())
    return figures


def recompute_flow(workbook: dict, start: D, end: D) -> dict[tuple[str, str], int]:
    """Inflow, outflow and kinds of exit per month of the period, from the
    exported stays alone."""
    outflow_labels = {
        row["code"]: row["label"]
        for row in as_dicts(workbook["waardelabels"])
        if (row["blad"], row["variabele"]) == ("verblijven", "outflow_type")
    }
    with translation.override("nl"):
        outflow_codes = {str(label): code for code, label in OutflowType.choices}
    counts: dict[tuple[str, str], int] = {}

    def add(metric: str, key: str) -> None:
        counts[(metric, key)] = counts.get((metric, key), 0) + 1

    def within(day) -> bool:
        return day is not None and start <= day.date() <= end

    for row in as_dicts(workbook["verblijven"]):
        if within(row["placed_on"]):
            group = "participants" if row["participant"] else "others"
            add(f"inflow_{group}", row["placed_on"].strftime("%Y-%m"))
        if within(row["ended_on"]):
            add("outflow", row["ended_on"].strftime("%Y-%m"))
            add("exit", outflow_codes[outflow_labels[row["outflow_type"]]])
    return counts


class Casemanager:
    """One casemanager at the forms of the application."""

    def __init__(self, page, live_server, site: Site) -> None:
        self.page, self.url, self.site = page, live_server.url, site
        user_with_role(Role.CASEMANAGER, site, username=f"cm-{site.code}")
        log_in(page, live_server, f"cm-{site.code}")

    def go(self, url: str) -> None:
        self.page.goto(f"{self.url}{url}")

    def submit(self, form: str = "#object-form") -> None:
        with self.page.expect_navigation():
            self.page.click(f"{form} button[type=submit]")
        errors = self.page.locator(
            f"{form} .errornote, {form} .field-errors, {form} .errorlist"
        )
        assert not errors.count(), errors.all_inner_texts()

    def fill(self, fields: dict[str, str], form: str = "#object-form") -> None:
        for name, value in fields.items():
            field = self.page.locator(f"{form} [name={name}]").first
            kind = field.evaluate("e => e.tagName + ':' + (e.type || '')")
            if kind.startswith("SELECT"):
                field.select_option(value)
            elif kind.endswith("checkbox"):
                field.set_checked(value == "True")
            elif kind.endswith("radio"):
                self.page.check(f"{form} [name={name}][value='{value}']")
            else:
                field.fill(value)

    def person(self, number: int, born: D) -> Person:
        self.go(reverse("core:person_create"))
        form = "main form.stacked"
        self.fill(
            {
                "first_name": "Cohort",
                "last_name": f"Browser{self.site.code}{number}",
                "date_of_birth": born.isoformat(),
                "gender": "male",
                "dji_number": f"88{self.site.pk:02d}{number:03d}",
            },
            form,
        )
        self.submit(form)
        return Person.objects.get(last_name=f"Browser{self.site.code}{number}")

    def intake(self, person: Person, opened: D, placed: D) -> Stay:
        """Through every obligatory stage of the site's intake process."""
        self.go(person.get_absolute_url())
        with self.page.expect_navigation():
            self.page.click("#open-intake-case")
        form = "#case-open-form"
        self.page.fill(f"{form} input[name=opened_on]", opened.isoformat())
        self.page.select_option(f"{form} select[name=entry_route]", index=1)
        self.page.select_option(f"{form} select[name=heard_via]", "staff")
        report = self.page.locator(f"{form} input[name=report_date]")
        if report.count():
            report.fill(placed.isoformat())
        self.submit(form)
        case = IntakeCase.objects.get(person=person)
        day = opened
        for stage in case.process.stages.exclude(kind=StageKind.DECISION).order_by(
            "order"
        ):
            if stage.optional:
                continue
            day += datetime.timedelta(days=2)
            if stage.kind == StageKind.PRESCAN:
                for partner in stage.prescan_partners:
                    if self.page.get_attribute("#fold-prescan", "open") is None:
                        self.page.click("#fold-prescan > summary")
                    self.fill(
                        {
                            "partner": partner,
                            "asked_on": day.isoformat(),
                            "answered_on": day.isoformat(),
                            "objection": "no",
                        },
                        "#prescan-form",
                    )
                    self.submit("#prescan-form")
                continue
            outcome = (
                StageOutcome.POSITIVE
                if StageOutcome.POSITIVE in (stage.outcomes or [])
                else StageOutcome.COMPLETED
            )
            self.fill(
                {
                    "stage": str(stage.pk),
                    "occurred_on": day.isoformat(),
                    "outcome": outcome,
                },
                "#event-form",
            )
            self.submit("#event-form")
        case.refresh_from_db()
        if case.criteria_version and self.page.locator("#criterion-form").count():
            if self.page.get_attribute("#fold-criteria", "open") is None:
                self.page.click("#fold-criteria > summary")
            for criterion in case.criteria_version.criteria.all():
                self.page.select_option(
                    f"#criterion-form select[name=result_{criterion.pk}]", "met"
                )
            self.page.fill("#criterion-form input[name=checked_on]", day.isoformat())
            self.submit("#criterion-form")
        for required in consents_missing_for_placement(person=person, day=placed):
            self.go(reverse("partners:consent_create", args=[person.pk]))
            self.fill(
                {
                    "kind": required.kind,
                    "given_on": opened.isoformat(),
                    "scope": "Alle partners van de KV",
                }
            )
            self.submit()
        self.go(reverse("intake:case_place", args=[case.pk]))
        self.page.fill("#place-form input[name=decided_on]", day.isoformat())
        self.page.fill("#place-form input[name=placed_on]", placed.isoformat())
        options = "#place-form select[name=place_type] option"
        if not self._realised(options, placed):
            # the list offers the place types of the placement day, once the
            # form has been sent with that day
            with self.page.expect_navigation():
                self.page.click("#place-form button[type=submit]")
        realised = self._realised(options, placed)
        assert realised, self.page.locator("main").inner_text()
        self.page.select_option("#place-form select[name=place_type]", realised[0])
        self.page.fill("#place-form input[name=placed_on]", placed.isoformat())
        self.submit("#place-form")
        stay = Stay.objects.filter(intake_case=case).first()
        assert stay, self.page.locator("main").inner_text()
        return stay

    def _realised(self, options: str, day: D) -> list[str]:
        offered = self.page.locator(options).evaluate_all(
            "options => options.map(o => o.value).filter(v => v)"
        )
        return [
            pk
            for pk in offered
            if capacity_on(place_type=PlaceType.objects.get(pk=pk), day=day)
        ]

    def plan(self, stay: Stay, drawn_up: D, partner: Organisation) -> None:
        self.go(reverse("trajectories:plan_create", args=[stay.pk]))
        self.page.fill("#id_drawn_up_on", drawn_up.isoformat())
        for spec in stay.site.plan_form.field_specs():
            if not spec.get("required"):
                continue
            field = self.page.locator(f"#field-{spec['name']}")
            if field.locator("input[type=radio]").count():
                field.locator("input[type=radio][value=True]").check()
            elif field.locator("input[type=date]").count():
                field.locator("input[type=date]").fill(drawn_up.isoformat())
            elif field.locator("select").count():
                field.locator("select").select_option(index=1)
            else:
                field.locator("textarea, input").first.fill("Werk vinden")
        with self.page.expect_navigation():
            self.page.click("#save")
        plan = IndividualPlan.objects.get(stay=stay)
        self.go(reverse("trajectories:goal_create", args=[plan.pk]))
        domain = GoalDomain.objects.get(code="pf_opleiding_werk")
        self.fill({"domain": str(domain.pk), "description": "Werk vinden"})
        self.submit()
        goal = Goal.objects.get(plan=plan)
        self.go(reverse("trajectories:activity_create", args=[goal.pk]))
        self.fill(
            {
                "description": "Sollicitatiebrief schrijven",
                "responsible_organisation": str(partner.pk),
                "due_on": (drawn_up + datetime.timedelta(days=14)).isoformat(),
            }
        )
        self.submit()

    def work(self, stay: Stay, day: D) -> None:
        self.go(reverse("trajectories:job_search_create", args=[stay.pk]))
        self.fill(
            {"kind": "vacancy_search", "occurred_on": day.isoformat(), "used": "True"}
        )
        self.submit()
        self.go(reverse("trajectories:employment_create", args=[stay.pk]))
        self.fill(
            {
                "employer_name": "Cohort Werkplaats",
                "job_title": "magazijnmedewerker",
                "hours_per_week": "32",
                "pay_kind": "paid",
                "started_on": (day + datetime.timedelta(days=7)).isoformat(),
                "origin": "found",
            }
        )
        self.page.locator("#object-form input[type=checkbox]").evaluate_all(
            "boxes => boxes.forEach(b => { if (!b.name.startsWith('confirm')) "
            "b.checked = true; })"
        )
        with self.page.expect_navigation():
            self.page.click("#object-form button[type=submit]")
        if self.page.locator("#object-form [name=confirm_rule_breach]").count():
            # a job against the site's work rules is kept with a reason
            self.page.check("#object-form [name=confirm_rule_breach]")
            self.page.fill(
                "#object-form [name=rule_breach_reason]", "baan gevonden in detentie"
            )
            self.submit()
        assert Employment.objects.filter(stay=stay).count() == 1

    def outflow(self, stay: Stay, day: D) -> None:
        self.go(reverse("trajectories:stay_outflow", args=[stay.pk]))
        self.fill({"ended_on": day.isoformat(), "outflow_type": "end_of_sentence"})
        self.submit()


UNKNOWN_WHERE_EMPTY = """() => {
  for (const reason of document.querySelectorAll('select[name^="m_"]')) {
    const value = document.querySelector(`[name="v_${reason.name.slice(2)}"]`);
    if (reason.offsetParent === null || !value || value.value !== "") continue;
    reason.value = "unknown";
    reason.dispatchEvent(new Event("change", {bubbles: true}));
  }
}"""


class Researcher:
    """One researcher at the measurement form and the export page."""

    def __init__(self, page, live_server, site: Site) -> None:
        self.page, self.url = page, live_server.url
        user_with_role(Role.RESEARCHER, site, username=f"rs-{site.code}")
        page.context.clear_cookies()
        log_in(page, live_server, f"rs-{site.code}")

    def measure(self, measurement: Measurement, follow_up: Item | None) -> None:
        """Complete ``measurement``; answer "ja" to the question above
        ``follow_up`` and then the follow-up, which appears only then."""
        self.page.goto(f"{self.url}/evaluation/measurements/{measurement.pk}/")
        if follow_up is not None:
            row = self.page.locator(f"#item-{follow_up.var}")
            self.page.select_option(f"select[name=v_{follow_up.condition_var}]", "no")
            assert row.is_hidden()
            self.page.select_option(f"select[name=v_{follow_up.condition_var}]", "yes")
            assert row.is_visible()
            self.page.fill(f"[name=v_{follow_up.var}]", "3")
            for other in Item.objects.filter(
                catalogue=measurement.catalogue,
                condition__var=follow_up.condition_var,
                answer_type="text",
            ):
                self.page.fill(f"[name=v_{other.var}]", "inbraak")
        # every other item shown: "onbekend" as the reason it is missing
        self.page.evaluate(UNKNOWN_WHERE_EMPTY)
        with self.page.expect_navigation():
            self.page.click("#complete")
        status = self.page.get_attribute("#measurement-status", "data-status")
        refused = self.page.locator(".errornote, .field-errors").all_inner_texts()
        assert status == "complete", refused

    def export(self, start: D, end: D, export_format: str, folder: Path) -> Path:
        self.page.goto(f"{self.url}{reverse('dashboards:export_list')}")
        self.page.fill("#id_start", start.isoformat())
        self.page.fill("#id_end", end.isoformat())
        self.page.select_option("#id_format", export_format)
        with self.page.expect_navigation():
            self.page.click("#export-form button[type=submit]")
        job = ExportJob.objects.order_by("-pk").first()
        assert job.status == ExportStatus.DONE, job.error
        self.page.reload()
        with self.page.expect_download() as info:
            self.page.click("#download")
        path = folder / info.value.suggested_filename
        info.value.save_as(path)
        return path


def follow_up_item(measurement: Measurement) -> Item:
    """A number asked "Indien ja" on this measurement's form."""
    on_form = {
        item.var: item for item in items_for(measurement.catalogue, measurement.moment)
    }
    return next(
        item
        for item in on_form.values()
        if item.condition_var in on_form
        and item.answer_type == "number"
        and item.condition_value is True
    )


@pytest.mark.parametrize("site_code", realised_sites())
def test_a_cohort_entered_in_the_browser_exports_files_that_analyse_cleanly(
    live_server, page, site_code, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_reference", stdout=io.StringIO())
    site = Site.objects.get(code=site_code)
    start = first_open_day(site)
    partner = Organisation.objects.for_site(site).order_by("name").first()

    cm = Casemanager(page, live_server, site)
    first = cm.person(1, D(start.year - 31, 3, 1))
    stay1 = cm.intake(
        first,
        start + datetime.timedelta(days=3),
        start + datetime.timedelta(days=30),
    )
    cm.plan(stay1, start + datetime.timedelta(days=35), partner)
    cm.work(stay1, start + datetime.timedelta(days=40))
    cm.outflow(stay1, start + datetime.timedelta(days=150))
    second = cm.person(2, D(start.year - 45, 9, 1))
    stay2 = cm.intake(
        second,
        start + datetime.timedelta(days=10),
        start + datetime.timedelta(days=45),
    )
    cm.outflow(stay2, start + datetime.timedelta(days=170))
    assert Stay.objects.filter(site=site, participant=True).count() == 2

    researcher = Researcher(page, live_server, site)
    taken = []
    for stay in (stay1, stay2):
        nulmeting = Measurement.objects.get(stay=stay, moment="nulmeting")
        researcher.measure(nulmeting, follow_up_item(nulmeting))
        eindmeting = Measurement.objects.get(stay=stay, moment="eindmeting")
        researcher.measure(eindmeting, None)
        taken += [nulmeting, eindmeting]
    end = start + datetime.timedelta(days=200)
    xlsx = researcher.export(start, end, "xlsx", tmp_path)
    sav = researcher.export(start, end, "sav", tmp_path)

    # Excel: the checks Excel makes on opening a workbook
    assert not excel_problems(xlsx.read_bytes())
    workbook = workbook_sheets(xlsx.read_bytes())
    codebook = as_dicts(workbook["codebook"])
    kinds = {(row["blad"], row["variabele"]): row["type"] for row in codebook}

    # PSPP opens every .sav without a word; pyreadstat reads what Excel shows
    problems = compare_with_workbook(sav.read_bytes(), workbook, ".sav", tmp_path)
    assert not problems, "\n".join(problems[:20])
    import pandas
    import pyreadstat

    for name in zipfile.ZipFile(sav).namelist():
        sheet = name.removesuffix(".sav")
        frame, meta = pyreadstat.read_sav(str(tmp_path / name))
        for column in frame.columns:
            kind = kinds.get((sheet, column))
            values = [v for v in frame[column] if not pandas.isna(v)]
            if kind == "datum":
                assert meta.original_variable_types[column].startswith("DATE")
                assert all(isinstance(v, datetime.date) for v in values), column
            elif kind == "geheel getal" or (kind or "").startswith(("code", "0/1")):
                assert re.fullmatch(r"F\d+\.0", meta.original_variable_types[column])
                assert all(float(v).is_integer() for v in values), column
            if (kind or "").startswith(("code", "0/1")) and values:
                labels = meta.variable_value_labels[column]
                # Dutch words, never a code such as "end_of_sentence"
                codes = [t for t in labels.values() if CODE_WORD.fullmatch(t)]
                assert labels, column
                assert not codes, (column, codes)

    # pandas reads the workbook typed: dates as datetimes, integers as ints
    frames = pandas.read_excel(xlsx, sheet_name=None)
    assert set(frames) == set(workbook)
    for sheet, frame in frames.items():
        for column in frame.columns:
            kind = kinds.get((sheet, column))
            filled = frame[column].dropna()
            if kind == "datum" and len(filled):
                assert pandas.api.types.is_datetime64_any_dtype(frame[column]), column
            if kind == "geheel getal" and len(filled):
                if len(filled) == len(frame):
                    assert pandas.api.types.is_integer_dtype(frame[column]), column
                assert all(float(v).is_integer() for v in filled), column

    # no cancelled or never-taken measurement is a row or a column
    long_rows = as_dicts(workbook["personen_lang"])
    assert len(long_rows) == len(taken)
    suffixes = {{"nulmeting": "nul", "eindmeting": "eind"}[m.moment] for m in taken}
    wide = workbook["personen_breed"][0]
    found = {
        match.group(1)
        for column in wide
        if (match := re.search(r"_(nul|tus\d+|eind|na\d*)$", column))
    }
    assert found == suffixes
    follow_ups = [follow_up_item(m).var for m in taken if m.moment == "nulmeting"]
    assert [
        row[follow_ups[0]] for row in long_rows if row[follow_ups[0]] is not None
    ] == [3, 3]

    # the dashboard's figures come back from the per-person sheets alone
    leader = user_with_role(Role.PROJECT_LEADER, site, username=f"pl-{site.code}")
    page.context.clear_cookies()
    log_in(page, live_server, leader.username)
    page.goto(
        f"{live_server.url}{reverse('dashboards:site_dashboard', args=[site.code])}"
        f"?start={start.isoformat()}&end={end.isoformat()}"
    )
    body = page.content()
    shown = dashboard_figures(body)
    recomputed = recompute_flow(workbook, start, end)
    placed = [
        v for (metric, _), v in recomputed.items() if metric == "inflow_participants"
    ]
    assert sum(placed) == 2
    for (metric, key), count in recomputed.items():
        assert shown.get((metric, key), 0) == count, (metric, key)
    flow_shown = {k: v for k, v in shown.items() if k[0] in FLOW_METRICS and v}
    assert flow_shown == {k: v for k, v in recomputed.items() if v}
    b7 = recompute_b7(workbook)
    asked = set(workbook["personen_lang"][0])
    for table in b7_definition():
        for section in table["sections"]:
            for row in section["rows"]:
                if row.get("vars") and not asked & set(row["vars"]):
                    # not in the site's catalogue: the page says "-"
                    b7[row["code"]] = ["-", *b7[row["code"]][1:]]
    for code, values in b7.items():
        row = re.search(rf'<tr id="b7-row-{code}">(.*?)</tr>', body, re.S)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
        texts = [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]
        assert texts[: len(values)] == [str(v) for v in values], code

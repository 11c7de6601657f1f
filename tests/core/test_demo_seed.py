"""The whole demo as a user opening the app today would see it."""

from __future__ import annotations

import datetime
import io
import random
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from core.demo import DemoContext
from core.models import Person, Site, SiteStatus
from evaluation.models import Measurement
from intake.demo import stay_limits
from intake.models import IntakeCase
from trajectories.models import Stay, StayPhase
from trajectories.services import capacity_on, occupied_on

D = datetime.date
DAY = datetime.timedelta(days=1)


@pytest.fixture
def demo(db):
    call_command("load_reference", stdout=io.StringIO())
    from core.registry import dotted_paths

    ctx = DemoContext(
        rng=random.Random(2021),
        today=timezone.localdate(),
        sites={site.code: site for site in Site.objects.all()},
    )
    for dotted in dotted_paths("demo_steps"):
        import_string(dotted)(ctx)
    if connection.vendor == "postgresql":
        # The demo was written inside the test's transaction, where autovacuum
        # never analyses it: without statistics PostgreSQL plans the export's
        # joins for empty tables and takes minutes. Production tables are
        # analysed by autovacuum.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return ctx


def test_demo_is_realistic_for_today(demo, client):
    today = demo.today
    year_ago = today - datetime.timedelta(days=365)
    # Never realised: nobody there, but its planned capacity stays visible.
    assert not Person.objects.filter(site__code="amsterdam").exists()
    assert not IntakeCase.objects.filter(site__code="amsterdam").exists()
    # Every person has a timeline.
    assert not Person.objects.filter(intake_cases=None).exists()
    assert all(p.first_name.startswith("Demo-") for p in Person.objects.all())

    # Rotterdam: history within its open period, everyone out by the closure.
    rotterdam = Stay.objects.filter(site__code="rotterdam")
    assert rotterdam.exists()
    assert all(D(2019, 4, 1) <= s.placed_on for s in rotterdam)
    assert all(s.ended_on and s.ended_on <= D(2020, 7, 1) for s in rotterdam)
    # Krimpen: who was in DC II on 1 May 2020 went on in DC IIa that day.
    for stay in Stay.objects.filter(
        site__code="krimpen", placed_on__lt=D(2020, 5, 1)
    ).exclude(ended_on__lte=D(2020, 5, 1)):
        assert StayPhase.objects.filter(
            stay=stay, phase__code="dc2a", started_on=D(2020, 5, 1)
        ).exists()

    for site in Site.objects.all():
        stays = Stay.objects.filter(site=site)
        low, high = stay_limits(site)
        for stay in stays:
            assert stay.length_in_days(today) <= high, (site.code, stay.placed_on)
            if stay.ended_on and stay.outflow_type != "kv_closed":
                assert stay.length_in_days(today) >= low, (site.code, stay.placed_on)
            for day in {stay.placed_on, today}:
                if stay.placed_on <= day and (stay.ended_on or today) >= day:
                    places = capacity_on(place_type=stay.place_type, day=day)
                    if places is not None:
                        taken = occupied_on(place_type=stay.place_type, day=day)
                        assert taken <= places
        status = site.status_on(today)
        if status is not None and status.status == SiteStatus.OPEN:
            assert stays.filter(placed_on__gt=year_ago).count() >= 10, site.code
            assert stays.filter(ended_on__gt=year_ago).count() >= 5, site.code
            assert stays.filter(ended_on=None).exists(), site.code
            outflows = set(stays.exclude(ended_on=None).values_list("outflow_type"))
            assert len(outflows) >= 3, site.code

    # Measurements: nearly all past ones done, very few missed.
    timing = Counter(m.timing_on(today) for m in Measurement.objects.all())
    past = timing["done"] + timing["missed"] + timing["incomplete"]
    assert timing["done"] >= 0.85 * past
    assert timing["missed"] <= 0.05 * past

    # Pages a user opens first.
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="cm-almelo")
    client.force_login(user)
    person = Person.objects.filter(site__code="almelo").first()
    response = client.get(reverse("trajectories:person_timeline", args=[person.pk]))
    assert response.status_code == 200
    case_url = reverse("intake:case_detail", args=[person.intake_cases.first().pk])
    assert case_url.encode() in response.content

    # Who did the work: the takeovers the report describes (L3100-3103,
    # L4044-4046) are on the project leaders' partners dashboards for the
    # default period, each with a number that opens its records.
    for site_code in ("almelo", "middelburg"):
        leader = get_user_model().objects.get(username=f"pl-{site_code}")
        client.force_login(leader)
        url = reverse("dashboards:site_partners", args=[site_code])
        page = client.get(url).content.decode()
        taken = page.split('id="taken-over"')[1].split("</tbody>")[0]
        assert "measure=taken_over" in taken, site_code


def test_a_full_demo_export_opens_cleanly_in_pspp_and_reads_back_the_same(
    demo, tmp_path, settings
):
    """Every .sav of the demo export opens in GNU PSPP without a warning, and
    every .sav and .dta reads back through pyreadstat with the values,
    labels and missing values the Excel export shows."""
    from django.test import TestCase

    from core.periods import Period
    from dashboards.exports.datasets import ExportFilters
    from dashboards.exports.services import export_job_create
    from dashboards.models import ExportStatus
    from tests.dashboards.files import compare_with_workbook, workbook_sheets
    from tests.factories import user_with_role

    settings.MEDIA_ROOT = tmp_path
    sites = list(Site.objects.all())
    researcher = user_with_role("researcher", *sites)
    filters = ExportFilters(
        site_ids=tuple(sorted(site.pk for site in sites)),
        period=Period(D(2019, 1, 1), demo.today),
    )
    files = {}
    for format in ("xlsx", "sav", "dta"):
        # the task runs in the test process on commit (KV_TASKS_SYNC)
        with TestCase.captureOnCommitCallbacks(execute=True):
            job = export_job_create(user=researcher, filters=filters, format=format)
        job.refresh_from_db()
        assert job.status == ExportStatus.DONE, job.error
        files[format] = job.file.read()
    workbook = workbook_sheets(files["xlsx"])
    assert len(workbook["personen_lang"]) > 100
    for format in ("sav", "dta"):
        problems = compare_with_workbook(
            files[format], workbook, f".{format}", tmp_path / format
        )
        assert not problems, "\n".join(problems[:20])

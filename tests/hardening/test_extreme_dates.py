"""No stored date can break a page: the extreme dates the policy allows
(1900-01-01, and 2199-12-31 or today for a fact) in every date field of
every model, then every page as every role and the research exports.

Property-based (hypothesis): each example gives every model its earliest or
latest dates, so the combinations a page reads (a stay of 1900 with
measurements due in 2199) vary; the all-earliest and all-latest worlds are
always tried. Models and pages are enumerated, not listed.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core.dates import EARLIEST_DATE
from core.scoping import Role
from dashboards.models import ExportJob, ExportStatus
from tests.dated_world import (
    build_dated_world,
    date_fields,
    dated_models,
    latest_allowed,
)
from tests.factories import SiteFactory, user_with_role
from tests.hardening.routes import all_routes, url_for

ROLES = [Role.CASEMANAGER, Role.PROJECT_LEADER, Role.RESEARCHER, Role.FUNCTIONAL_ADMIN]
PERIODS = {
    "earliest": {"start": "1900-01-01", "end": "1909-12-31"},
    "latest": {"start": "2190-01-01", "end": "2199-12-31"},
    "default": {},
}
MODEL_LABELS = sorted(model._meta.label for model in dated_models())


def _store_extremes(modes: dict[str, str], today: datetime.date) -> None:
    """Every date of every dated model's rows at its earliest or latest allowed
    value. Where a rule between two dates of a row refuses the combination
    (a job ending before it starts), that field keeps its value."""
    for model in dated_models():
        fields = date_fields(model)
        mode = modes[model._meta.label]
        values = {
            field.attname: EARLIEST_DATE
            if mode == "earliest"
            else latest_allowed(field, today)
            for field in fields
        }
        rows = model._base_manager.all()
        try:
            with transaction.atomic():
                rows.update(**values)
            continue
        except IntegrityError:
            pass
        for name, value in values.items():
            try:
                with transaction.atomic():
                    rows.update(**{name: value})
            except IntegrityError:
                continue


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # /health/ rightly answers 503 once the worker heartbeat written at setup
    # is older than its limit; the test runs for minutes on a busy machine
    # and asks about dates, not about the worker
    settings.KV_HEALTH_HEARTBEAT_MAX_AGE = 24 * 3600
    site = SiteFactory(code="eigen", name="KV Eigen")
    return site, build_dated_world(site, "OWNMARK")


def _export(client, site, period: dict[str, str], **extra: Any) -> ExportJob:
    today = timezone.localdate()
    default = {"start": f"{today.year - 1}-01-01", "end": today.isoformat()}
    data = {**(period or default), "sites": [site.pk], **extra}
    # the task runs in the test process when the request commits (KV_TASKS_SYNC)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("dashboards:export_list"), data)
    assert response.status_code == 302, response.content[:300]
    job = ExportJob.objects.order_by("-pk").first()
    assert job.status == ExportStatus.DONE, job.error
    download = client.get(reverse("dashboards:export_download", args=[job.pk]))
    assert download.status_code == 200
    b"".join(download.streaming_content)
    return job


def test_extreme_dates_in_every_model_break_no_page_and_no_export(client, world):
    site, objects = world
    users = {role: user_with_role(role, site) for role in ROLES}
    routes = [(route, url_for(route, objects)) for route in all_routes()]
    # A crash is reported as the 500 it would be, with the page that did it.
    client.raise_request_exception = False
    today = timezone.localdate()
    all_earliest = dict.fromkeys(MODEL_LABELS, "earliest")
    all_latest = dict.fromkeys(MODEL_LABELS, "latest")

    @settings(
        max_examples=3,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        modes=st.fixed_dictionaries(
            {label: st.sampled_from(["earliest", "latest"]) for label in MODEL_LABELS}
        ),
        period=st.sampled_from(sorted(PERIODS)),
    )
    @example(modes=all_earliest, period="earliest")
    @example(modes=all_latest, period="latest")
    def every_page(modes: dict[str, str], period: str) -> None:
        _store_extremes(modes, today)
        failures = []
        for role, user in users.items():
            client.force_login(user)
            for route, url in routes:
                response = client.get(url, PERIODS[period])
                if response.status_code >= 500:
                    failures.append((role, route.name, response.status_code))
        assert failures == [], (modes, period)
        # The data-subject access document holds every date of the person.
        client.force_login(users[Role.FUNCTIONAL_ADMIN])
        document = client.post(
            reverse("core:subject_access", args=[objects["person_pk"]]),
            {"recipient": "de persoon zelf"},
        )
        assert document.status_code == 200, (modes, period)
        assert document["Content-Disposition"].startswith("attachment")
        client.force_login(users[Role.RESEARCHER])
        # The stays of 1900 fall in the first decade; those of today (the
        # latest a placement may be) in the default period.
        for export_format, shift, export_period in (
            ("xlsx", "on", "earliest"),
            ("csv", "", "default"),
            ("sav", "on", "default"),
        ):
            _export(
                client,
                site,
                PERIODS[export_period],
                format=export_format,
                date_shift=shift,
            )

    every_page()

from __future__ import annotations

import datetime
import random

from core.demo import DemoContext, seed_people, seed_users
from core.models import Person
from intake.demo import open_periods, seed_intake
from intake.models import IntakeCase, IntakeOutcome

D = datetime.date


def test_demo_intake_follows_each_sites_status_over_time(reference):
    today = D(2026, 11, 28)
    ctx = DemoContext(rng=random.Random(7), today=today, sites=reference)
    seed_users(ctx)
    seed_people(ctx)
    seed_intake(ctx)

    assert not Person.objects.filter(site__code="amsterdam").exists()
    assert not IntakeCase.objects.filter(site__code="amsterdam").exists()
    assert not Person.objects.filter(intake_cases=None).exists()
    for case in IntakeCase.objects.select_related("site"):
        periods = open_periods(case.site, today)
        assert any(start <= case.opened_on <= end for start, end in periods), case
    middelburg = IntakeCase.objects.filter(site__code="middelburg")
    assert not middelburg.filter(opened_on__range=(D(2020, 3, 1), D(2020, 7, 31)))
    rotterdam = IntakeCase.objects.filter(site__code="rotterdam")
    assert rotterdam.exists()
    # Planned placements are carried out by the trajectories step, later.
    planned = [placement.case.pk for placement in ctx.extra["placements"]]
    still_open = rotterdam.filter(outcome=IntakeOutcome.OPEN).exclude(pk__in=planned)
    assert not still_open.exists()
    for placement in ctx.extra["placements"]:
        status = placement.case.site.status_on(placement.placed_on)
        assert status.status == "open"
        assert placement.placed_on <= today
    for code in ("almelo", "krimpen", "middelburg"):
        recent = IntakeCase.objects.filter(
            site__code=code, opened_on__gt=today - datetime.timedelta(days=365)
        )
        assert recent.count() >= 10, code
        # Current candidates for the worklist.
        assert recent.filter(outcome=IntakeOutcome.OPEN).exists(), code
    ends = set(IntakeCase.objects.values_list("outcome", flat=True))
    assert ends >= {"rejected", "declined", "handed_back", "open", "waitlisted"}

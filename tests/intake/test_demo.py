from __future__ import annotations

import datetime
import random

from core.demo import DemoContext, seed_people, seed_users
from intake.demo import seed_intake
from intake.models import IntakeCase, IntakeOutcome
from trajectories.models import Stay

D = datetime.date


def test_demo_intake_follows_each_sites_status_over_time(reference):
    ctx = DemoContext(rng=random.Random(7), today=D(2021, 4, 15), sites=reference)
    seed_users(ctx)
    seed_people(ctx)
    seed_intake(ctx)

    for code in reference:
        assert IntakeCase.objects.filter(site__code=code).exists(), code
    assert not Stay.objects.filter(site__code="amsterdam").exists()
    rotterdam = Stay.objects.filter(site__code="rotterdam")
    assert rotterdam.exists()
    assert all(D(2019, 4, 1) <= s.placed_on < D(2020, 7, 1) for s in rotterdam)
    middelburg = IntakeCase.objects.filter(site__code="middelburg")
    assert not middelburg.filter(opened_on__range=(D(2020, 3, 1), D(2020, 7, 31)))
    assert all(
        s.placed_on >= D(2020, 8, 1)
        for s in Stay.objects.filter(site__code="middelburg")
    )
    assert all(
        s.placed_on >= D(2021, 1, 1) for s in Stay.objects.filter(site__code="almelo")
    )
    placed = IntakeCase.objects.filter(outcome=IntakeOutcome.PLACED)
    assert {s.pk for s in ctx.extra["stays"]} == set(
        Stay.objects.values_list("pk", flat=True)
    )
    assert placed.count() == len(ctx.extra["stays"])
    ends = set(IntakeCase.objects.values_list("outcome", flat=True))
    assert ends >= {
        "placed",
        "rejected",
        "declined",
        "withdrawn",
        "handed_back",
        "open",
    }

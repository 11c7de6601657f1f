"""Generate a national-scale synthetic data set through bulk paths.

Full scale (``--scale 1``): 100 sites, 200,000 people, 200,000 intake cases
with about 1,000,000 stage events, 60,000 stays with 120,000 phase periods,
180,000 measurements with about 2,000,000 answers. ``--scale 0.01`` gives a
hundredth of everything (at least two sites). Everything is fictitious and
marked "bench"; rows go in with ``bulk_create`` in batches, without history
rows (history is for changes made by people, which this is not).

    DATABASE_URL=... .venv/bin/python -m bench.generate --scale 0.1
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from collections.abc import Iterable
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kvmonitor.settings_test")

FULL = {
    "sites": 100,
    "people": 200_000,
    "stays": 60_000,
}
STAGES = ["aanmelding", "screening", "prescan", "mdo", "gesprek", "advies", "besluit"]
# Almelo's variable names, so the protective-factor panel has data to read
FACTORS = [
    "alm_ri_woonsituatie", "alm_ri_werk", "alm_ri_financien", "alm_ri_houding_gedrag",
    "alm_ri_sociaal_netwerk", "alm_ri_vrijetijd", "alm_ri_psychisch",
    "alm_ri_middelengebruik",
]  # fmt: skip
YES_NO = ["identiteitsbewijs", "zorgverzekering", "ondersteunend_netwerk"]
SCALE = ["zeer_positief", "positief", "neutraal", "negatief", "zeer_negatief"]
FIRST_DAY = datetime.date(2019, 1, 1)
LAST_DAY = datetime.date(2025, 12, 31)
BATCH = 5000


def _batched(model: Any, objects: Iterable[Any]) -> list[Any]:
    created: list[Any] = []
    chunk: list[Any] = []
    for obj in objects:
        chunk.append(obj)
        if len(chunk) >= BATCH:
            created.extend(model.objects.bulk_create(chunk))
            chunk = []
    if chunk:
        created.extend(model.objects.bulk_create(chunk))
    return created


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def generate(*, scale: float, seed: int = 2026, out=sys.stdout) -> dict[str, int]:
    """Create the data set; returns the number of rows per kind."""
    from django.contrib.auth import get_user_model

    from core.models import (
        CapacityPeriod,
        Membership,
        Person,
        PlaceType,
        SecurityLevel,
        Site,
    )
    from core.scoping import Role
    from evaluation.models import Answer, CatalogueVersion, Item, Measurement, Topic
    from evaluation.summaries import refresh_measurement_summaries
    from intake.models import (
        IntakeCase,
        IntakeProcessVersion,
        IntakeStageDefinition,
        StageEvent,
    )
    from trajectories.models import (
        Incident,
        JobSearchActivity,
        ProgrammePhase,
        Stay,
        StayPhase,
    )

    rng = random.Random(seed)
    started = time.perf_counter()
    n_sites = max(2, round(FULL["sites"] * scale))
    n_people = max(20, round(FULL["people"] * scale))
    n_stays = max(6, round(FULL["stays"] * scale))
    counts: dict[str, int] = {}

    def say(label: str, number: int) -> None:
        counts[label] = number
        out.write(
            f"{label:>18}: {number:>9,} ({time.perf_counter() - started:6.1f} s)\n"
        )
        out.flush()

    sites = _batched(
        Site,
        (
            Site(
                code=f"bench-{i:03d}",
                name=f"KV Bench {i:03d}",
                security_level=SecurityLevel.BBA,
                legal_status="sentenced",
                gender="male",
            )
            for i in range(n_sites)
        ),
    )
    say("sites", len(sites))
    place_types = _batched(
        PlaceType,
        (
            PlaceType(
                site=s, code="regulier", name="Reguliere plaats", security_level="bba"
            )
            for s in sites
        ),
    )
    per_site_stays = n_stays / n_sites
    places = max(4, round(per_site_stays * 215 / (LAST_DAY - FIRST_DAY).days * 1.3))
    _batched(
        CapacityPeriod,
        (
            CapacityPeriod(place_type=p, places=places, valid_from=FIRST_DAY)
            for p in place_types
        ),
    )
    phases = _batched(
        ProgrammePhase,
        (
            ProgrammePhase(site=s, code=code, name=name, order=order)
            for s in sites
            for order, (code, name) in enumerate(
                [("fase1", "Fase 1"), ("fase2", "Fase 2")]
            )
        ),
    )
    phases_of = {s.pk: [p for p in phases if p.site_id == s.pk] for s in sites}
    processes = _batched(
        IntakeProcessVersion,
        (
            IntakeProcessVersion(site=s, version=1, valid_from=FIRST_DAY, name="Bench")
            for s in sites
        ),
    )
    stages = _batched(
        IntakeStageDefinition,
        (
            IntakeStageDefinition(
                process=p,
                code=code,
                name=code.title(),
                order=order,
                kind="step",
                performer_role="casemanager",
                performer_organisation="KV",
                outcomes=["completed", "negative"],
                requires=[STAGES[order - 1]] if order else [],
            )
            for p in processes
            for order, code in enumerate(STAGES)
        ),
    )
    stages_of = {
        p.site_id: [s for s in stages if s.process_id == p.pk] for p in processes
    }
    process_of = {p.site_id: p for p in processes}
    catalogues = _batched(
        CatalogueVersion,
        (
            CatalogueVersion(site=s, version=1, table="B4.bench", valid_from=FIRST_DAY,
                             source_file="bench", checksum=f"bench{s.pk}")
            for s in sites
        ),
    )  # fmt: skip
    topics = _batched(
        Topic,
        (
            Topic(catalogue=c, code="bench_hoofddoel", category="outcome_lang",
                  title="Hoofddoel re-integratie", evaluations=["effect"],
                  methods=["vragenlijst"], levels=["persoon"])
            for c in catalogues
        ),
    )  # fmt: skip
    topic_of = {t.catalogue_id: t for t in topics}
    items = _batched(
        Item,
        (
            Item(catalogue=c, topic=topic_of[c.pk], var=name, text=name,
                 answer_type=kind, order=order,
                 moments=["nulmeting", "eindmeting", "nameting"])
            for c in catalogues
            for order, (name, kind) in enumerate(
                [(f, "scale5") for f in FACTORS]
                + [(f"bench_{y}", "yes_no") for y in YES_NO]
            )
        ),
    )  # fmt: skip
    items_of = {c.pk: [i for i in items if i.catalogue_id == c.pk] for c in catalogues}
    catalogue_of = {c.site_id: c for c in catalogues}
    say("catalogue items", len(items))

    people = _batched(
        Person,
        (
            Person(
                site=sites[i % n_sites],
                first_name=f"Bench{i}",
                last_name="Synthetisch",
                date_of_birth=_day(
                    rng, datetime.date(1960, 1, 1), datetime.date(2002, 12, 31)
                ),
                gender="male",
            )
            for i in range(n_people)
        ),
    )
    say("people", len(people))
    outcomes = ["rejected", "declined", "withdrawn", "handed_back", "open"]

    def new_cases() -> Iterable[IntakeCase]:
        latest = LAST_DAY - datetime.timedelta(days=120)
        for index, person in enumerate(people):
            opened = _day(rng, FIRST_DAY, latest)
            outcome = "placed" if index < n_stays else rng.choice(outcomes)
            closed = opened + datetime.timedelta(days=rng.randint(5, 90))
            yield IntakeCase(
                site_id=person.site_id,
                person=person,
                opened_on=opened,
                outcome=outcome,
                closed_on=None if outcome == "open" else closed,
                process=process_of[person.site_id],
            )

    cases = _batched(IntakeCase, new_cases())
    say("intake cases", len(cases))

    def events() -> Iterable[StageEvent]:
        for index, case in enumerate(cases):
            site_stages = stages_of[case.site_id]
            reached = (
                len(site_stages)
                if index < n_stays
                else rng.randint(1, len(site_stages))
            )
            day = case.opened_on
            for number, stage in enumerate(site_stages[:reached]):
                day = day + datetime.timedelta(days=rng.randint(0, 10))
                last = number == reached - 1 and index >= n_stays
                outcome = "negative" if last else "completed"
                yield StageEvent(
                    case=case, stage=stage, occurred_on=day, outcome=outcome
                )

    say("stage events", len(_batched(StageEvent, events())))
    today = datetime.date(2026, 6, 30)
    type_of = {p.site_id: p for p in place_types}
    exits = ["end_of_sentence", "end_of_sentence", "detention_phasing", "return_to_pi"]

    def new_stays() -> Iterable[Stay]:
        for case in cases[:n_stays]:
            placed = case.opened_on + datetime.timedelta(days=rng.randint(30, 120))
            ended = placed + datetime.timedelta(days=rng.randint(30, 400))
            if ended >= today:
                ended = None
            yield Stay(
                site_id=case.site_id,
                person_id=case.person_id,
                intake_case=case,
                place_type=type_of[case.site_id],
                placed_on=placed,
                participant=rng.random() < 0.85,
                ended_on=ended,
                outflow_type=rng.choice(exits) if ended else "",
            )

    stays = _batched(Stay, new_stays())
    say("stays", len(stays))

    def stay_phases() -> Iterable[StayPhase]:
        for stay in stays:
            first, second = phases_of[stay.site_id]
            end = stay.ended_on or today
            middle = stay.placed_on + (end - stay.placed_on) / 2
            yield StayPhase(stay=stay, phase=first, place_type_id=stay.place_type_id,
                            started_on=stay.placed_on, ended_on=middle)  # fmt: skip
            yield StayPhase(stay=stay, phase=second, place_type_id=stay.place_type_id,
                            started_on=middle, ended_on=stay.ended_on)  # fmt: skip

    say("stay phases", len(_batched(StayPhase, stay_phases())))
    _batched(
        Incident,
        (
            Incident(stay=s, occurred_on=s.placed_on + datetime.timedelta(days=10),
                     kind=rng.choice(["drug_use", "rule_breach"]), detection="staff",
                     consequence="temporary_return", return_days=7)
            for s in stays
            if rng.random() < 0.1
        ),
    )  # fmt: skip
    _batched(
        JobSearchActivity,
        (
            JobSearchActivity(stay=s, kind=kind, used=True, occurred_on=s.placed_on)
            for s in stays
            if s.participant
            for kind in ("vacancy_search", "course")
        ),
    )
    measurements = _batched(
        Measurement,
        (
            Measurement(
                stay=s,
                catalogue=catalogue_of[s.site_id],
                moment=moment,
                sequence=sequence,
                due_on=due,
                window_start=due,
                window_end=due + datetime.timedelta(days=30),
                status="complete" if due < today else "planned",
            )
            for s in stays
            for moment, sequence, due in [
                ("nulmeting", 0, s.placed_on + datetime.timedelta(days=14)),
                ("eindmeting", 0, s.ended_on or today),
                ("nameting", 6, (s.ended_on or today) + datetime.timedelta(days=182)),
            ]
        ),
    )
    say("measurements", len(measurements))
    stay_site = {s.pk: s.site_id for s in stays}

    def answers() -> Iterable[Answer]:
        for m in measurements:
            for item in items_of[catalogue_of[stay_site[m.stay_id]].pk]:
                if rng.random() < 0.04:
                    yield Answer(
                        measurement=m,
                        item=item,
                        missing_reason=rng.choice(["refused", "unknown", "not_asked"]),
                    )
                elif item.answer_type == "scale5":
                    yield Answer(measurement=m, item=item, value=rng.choice(SCALE))
                else:
                    value = rng.random() < 0.7
                    yield Answer(measurement=m, item=item, value=value)

    say("answers", len(_batched(Answer, answers())))
    # bulk_create passes by the answer summaries: fill them set-based
    refresh_measurement_summaries(measurement_ids=None)
    users = get_user_model()
    for username, role in (
        ("bench-pl", Role.PROJECT_LEADER),
        ("bench-res", Role.RESEARCHER),
    ):
        user, _created = users.objects.get_or_create(username=username)
        Membership.objects.bulk_create(
            [Membership(user=user, site=s, role=role) for s in sites],
            ignore_conflicts=True,
        )
    say("seconds", round(time.perf_counter() - started))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--migrate", action="store_true", help="run migrations first")
    args = parser.parse_args()
    django.setup()
    if args.migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    from core.models import Site

    if Site.objects.filter(code__startswith="bench-").exists():
        sys.exit("This database already holds a bench data set; use a fresh one.")
    generate(scale=args.scale, seed=args.seed)


if __name__ == "__main__":
    main()

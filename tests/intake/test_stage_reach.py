"""The per-case stage-reach summary (``CaseStageReach``) stays exact.

Every function of the intake services, the list import, the reference
loader and the demo that writes stage events (or stage definitions) is found
by reading the code, and each has a scenario here after which the stored
summary must equal a recount of the events. A new writer without a scenario
fails ``test_every_writer_of_stage_events_has_a_scenario``.
"""

from __future__ import annotations

import datetime
import importlib
import inspect
import pkgutil
import random
import re
from collections.abc import Callable
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.db.models.functions import TruncMonth
from django.test.utils import CaptureQueriesContext

from intake import demo, reference, services
from intake.models import (
    PASSED_KIND_BITS,
    PASSED_OUTCOMES,
    PAST_EVERY_STAGE,
    CaseStageReach,
    IntakeCase,
    IntakeOutcome,
    IntakeStageDefinition,
    StageEvent,
    StageKind,
    StageOutcome,
)
from intake.selectors import stage_reach, stage_reach_by, stage_reach_drift
from tests.factories import IntakeStageFactory, OrganisationFactory, PersonFactory

D = datetime.date
POSITIVE, NEGATIVE, COMPLETED = (
    StageOutcome.POSITIVE,
    StageOutcome.NEGATIVE,
    StageOutcome.COMPLETED,
)

#: the packages and modules whose functions may write stage events or
#: stage definitions (every module of a package is read)
WRITER_MODULES = (services, reference, demo)
#: what a function that writes them names
WRITES = ("StageEvent", "_event_save(", "IntakeStageDefinition.objects")


def _modules() -> list[ModuleType]:
    found = []
    for module in WRITER_MODULES:
        found.append(module)
        for info in pkgutil.walk_packages(
            getattr(module, "__path__", []), prefix=f"{module.__name__}."
        ):
            found.append(importlib.import_module(info.name))
    return found


def _event_writers() -> set[str]:
    """Public functions of ``WRITER_MODULES`` that write stage events or
    stage definitions, directly or through another function found."""
    sources = {}
    for module in _modules():
        for name, function in vars(module).items():
            if inspect.isfunction(function) and function.__module__ == module.__name__:
                sources[name] = inspect.getsource(function)
    found = {
        name for name, source in sources.items() if any(w in source for w in WRITES)
    }
    while True:
        calls = re.compile(r"\b(" + "|".join(map(re.escape, found)) + r")\(")
        more = {
            name
            for name, source in sources.items()
            if name not in found and calls.search(source)
        }
        if not more:
            break
        found |= more
    return {name for name in found if not name.startswith("_")}


# The cases and stages every scenario starts from ------------------------------


@pytest.fixture
def process(almelo_process):
    """screening (assessment) -> letter (step) | interview (assessment) ->
    decision, and an optional pre-scan after the screening."""
    IntakeStageFactory(
        process=almelo_process,
        code="prescan",
        order=5,
        kind=StageKind.PRESCAN,
        prescan_partners=["om", "police"],
        requires=["screening"],
        optional=True,
    )
    return almelo_process


MARCH_2, MARCH_5 = D(2020, 3, 2), D(2020, 3, 5)


def _open(process, day=MARCH_2) -> IntakeCase:
    site = process.site
    return services.case_open(
        site=site,
        person=PersonFactory(site=site),
        opened_on=day,
        entry_route=process.entry_routes.get(code="referral"),
        created_by=None,
    )


def _record(case, code, outcome=POSITIVE, day=MARCH_5) -> StageEvent:
    return services.stage_event_record(
        case=case,
        stage=case.process.stages.get(code=code),
        occurred_on=day,
        outcome=outcome,
        actor=None,
    )


def _started(process) -> list[IntakeCase]:
    """Three cases: nothing recorded; screening passed; screening passed and
    the interview failed."""
    cases = [_open(process) for _index in range(3)]
    _record(cases[1], "screening", day=D(2020, 3, 3))
    _record(cases[2], "screening", day=D(2020, 3, 3))
    _record(cases[2], "interview", NEGATIVE)
    return cases


def _stored() -> dict[int, tuple[int, int]]:
    return {
        row.case_id: (row.furthest_order, row.passed_kinds)
        for row in CaseStageReach.objects.all()
    }


# One scenario per writer ------------------------------------------------------


def _stage_event_record(request) -> None:
    process = request.getfixturevalue("process")
    cases = _started(process)
    _record(cases[0], "screening", NEGATIVE)
    _record(cases[1], "letter", COMPLETED)


def _prescan_answer_record(request) -> None:
    process = request.getfixturevalue("process")
    case = _started(process)[1]
    for partner in ("om", "police"):
        services.prescan_answer_record(
            case=case,
            partner=partner,
            asked_on=D(2020, 3, 4),
            answered_on=D(2020, 3, 6),
            objection=False,
            actor=None,
        )
    assert case.events.filter(stage__code="prescan", outcome=POSITIVE).exists()


def _case_place(request) -> None:
    process = request.getfixturevalue("process")
    case = _started(process)[1]
    _record(case, "letter", COMPLETED)
    _record(case, "interview")
    services.case_place(
        case=case,
        decided_on=D(2020, 3, 10),
        place_type=process.site.place_types.get(),
        placed_on=D(2020, 3, 12),
        actor=None,
    )


def _stage_event_performer_change(request) -> None:
    process = request.getfixturevalue("process")
    event = _started(process)[2].events.get(stage__code="interview")
    services.stage_event_performer_change(
        event=event, organisation=OrganisationFactory(sites=[process.site])
    )


def _consents_from_intake_backfill(request) -> None:
    process = request.getfixturevalue("process")
    _started(process)
    services.consents_from_intake_backfill()


def _intake_processes_load(request) -> None:
    process = request.getfixturevalue("process")
    """A corrected reference file: the interview comes before the letter and
    becomes a step; the letter becomes an assessment."""
    cases = _started(process)
    _record(cases[1], "letter", COMPLETED)
    before = _stored()
    stages = {stage.code: stage for stage in process.stages.all()}
    kinds = {"interview": StageKind.STEP, "letter": StageKind.ASSESSMENT}
    entry = {
        "site": process.site.code,
        "version": process.version,
        "valid_from": process.valid_from,
        "name": process.name,
        "entry_routes": [
            {"code": route.code, "name": route.name, "importable": route.importable}
            for route in process.entry_routes.all()
        ],
        "stages": [
            {
                "code": code,
                "name": stages[code].name,
                "kind": kinds.get(code, stages[code].kind),
                "performer_role": stages[code].performer_role,
                "performer_organisation": stages[code].performer_organisation,
                "outcomes": stages[code].outcomes,
                "requires": stages[code].requires,
                "documents": stages[code].documents,
                "prescan_partners": stages[code].prescan_partners,
                "optional": stages[code].optional,
            }
            for code in ("screening", "interview", "letter", "decision", "prescan")
        ],
    }
    reference.intake_processes_load(data={"processes": [entry]})
    assert _stored() != before


def _demo(request) -> None:
    """The demo's intake at one site (the one where tasks were taken over)."""
    from core.demo import DemoContext, seed_people, seed_users

    sites = {"middelburg": request.getfixturevalue("reference")["middelburg"]}
    ctx = DemoContext(rng=random.Random(7), today=D(2026, 11, 28), sites=sites)
    seed_users(ctx)
    seed_people(ctx)
    demo.seed_intake(ctx)
    demo.seed_taken_over_stages(ctx)
    assert StageEvent.objects.filter(case__site__code="middelburg").exists()


SCENARIOS: dict[str, Callable[[Any], None]] = {
    "stage_event_record": _stage_event_record,
    "prescan_answer_record": _prescan_answer_record,
    "case_place": _case_place,
    "stage_event_performer_change": _stage_event_performer_change,
    "consents_from_intake_backfill": _consents_from_intake_backfill,
    "intake_processes_load": _intake_processes_load,
    "seed_intake": _demo,
    "seed_taken_over_stages": _demo,
}


def test_every_writer_of_stage_events_has_a_scenario():
    assert _event_writers() == set(SCENARIOS)


#: each scenario once, named after the writers it runs
RUNS = {
    " + ".join(sorted(k for k, v in SCENARIOS.items() if v is scenario)): scenario
    for scenario in SCENARIOS.values()
}


@pytest.mark.parametrize("writers", sorted(RUNS))
def test_after_each_writer_the_summary_equals_a_recount(request, writers):
    RUNS[writers](request)
    assert StageEvent.objects.exists()
    assert CaseStageReach.objects.exists()
    assert stage_reach_drift() == []


# Every ORM path keeps it exact, so no writer can forget it -------------------


def _orm_paths() -> dict[str, Callable[[list[IntakeCase]], None]]:
    def stage(case, code):
        return case.process.stages.get(code=code)

    def create(cases):
        StageEvent.objects.create(
            case=cases[0],
            stage=stage(cases[0], "letter"),
            occurred_on=D(2020, 3, 9),
            outcome=COMPLETED,
        )

    def save_outcome(cases):
        event = cases[1].events.get(stage__code="screening")
        event.outcome = NEGATIVE
        event.save()

    def save_moved(cases):
        event = cases[2].events.get(stage__code="interview")
        event.case = cases[0]
        event.save()

    def delete_one(cases):
        cases[2].events.get(stage__code="interview").delete()

    def delete_many(cases):
        StageEvent.objects.filter(case__in=cases[1:]).delete()

    def update_outcome(cases):
        StageEvent.objects.filter(case=cases[2]).update(outcome=NEGATIVE)

    def update_case(cases):
        StageEvent.objects.filter(case=cases[2]).update(case=cases[0])

    def bulk_create(cases):
        StageEvent.objects.bulk_create(
            [
                StageEvent(
                    case=case,
                    stage=stage(case, "letter"),
                    occurred_on=D(2020, 3, 9),
                    outcome=COMPLETED,
                )
                for case in cases
            ]
        )

    def bulk_update(cases):
        events = list(StageEvent.objects.filter(stage__code="screening"))
        for event in events:
            event.outcome = NEGATIVE
        StageEvent.objects.bulk_update(events, ["outcome"])

    def stage_order(cases):
        screening = stage(cases[0], "screening")
        screening.order = 9
        screening.save()

    def stage_kind(cases):
        screening = stage(cases[0], "screening")
        screening.kind = StageKind.TRIAL
        screening.save()

    def stages_update(cases):
        IntakeStageDefinition.objects.filter(code="screening").update(
            kind=StageKind.STEP, order=7
        )

    def stages_bulk_update(cases):
        stages = list(IntakeStageDefinition.objects.filter(code="screening"))
        for row in stages:
            row.order = 8
        IntakeStageDefinition.objects.bulk_update(stages, ["order"])

    paths = (
        create, save_outcome, save_moved, delete_one, delete_many,
        update_outcome, update_case, bulk_create, bulk_update, stage_order,
        stage_kind, stages_update, stages_bulk_update,
    )  # fmt: skip
    return {function.__name__: function for function in paths}


@pytest.mark.parametrize("path", sorted(_orm_paths()))
def test_every_orm_write_keeps_the_summary_exact(process, path):
    cases = _started(process)
    before = _stored()
    _orm_paths()[path](cases)
    assert stage_reach_drift() == []
    assert _stored() != before


def test_deleting_a_case_deletes_its_summary(process):
    case = _started(process)[2]
    IntakeCase.objects.filter(pk=case.pk).delete()
    assert not CaseStageReach.objects.filter(case_id=case.pk).exists()
    assert stage_reach_drift() == []


# What the summary holds ------------------------------------------------------


def test_summary_holds_the_furthest_stage_and_the_kinds_passed(process):
    nothing, screened, failed = _started(process)
    _record(screened, "letter", COMPLETED, day=D(2020, 3, 4))
    assert not CaseStageReach.objects.filter(case=nothing).exists()
    assert screened.stage_reach.furthest_order == 2
    assert screened.stage_reach.passed_kind_codes == ["step", "assessment"]
    # a failed stage still counts as reached, but not as passed
    assert failed.stage_reach.furthest_order == 3
    assert failed.stage_reach.passed_kind_codes == ["assessment"]


def test_every_stage_kind_has_its_own_bit():
    assert set(PASSED_KIND_BITS) == set(StageKind.values)
    bits = list(PASSED_KIND_BITS.values())
    assert all(bit and bit & (bit - 1) == 0 for bit in bits)
    assert len(set(bits)) == len(bits)
    assert set(PASSED_OUTCOMES) == {s for s in StageOutcome if s != NEGATIVE}


def test_counts_and_case_lists_read_the_same_summary(process):
    nothing, screened, failed = _started(process)
    placed = _open(process)
    _record(placed, "screening")
    IntakeCase.objects.filter(pk=placed.pk).update(outcome=IntakeOutcome.PLACED)
    cases = IntakeCase.objects.filter(site=process.site)
    reach = stage_reach(cases)
    for code in ("screening", "letter", "interview", "decision", "prescan"):
        listed = set(cases.reaching(code=code).values_list("pk", flat=True))
        assert reach.by_code.get(code, 0) == len(listed), code
    assert set(cases.reaching(code="interview").values_list("pk", flat=True)) == {
        failed.pk,
        placed.pk,
    }
    assert set(cases.reaching(code="decision").values_list("pk", flat=True)) == {
        placed.pk
    }
    passed = cases.with_stage(PASSED_OUTCOMES, kind=StageKind.ASSESSMENT)
    assert set(passed.values_list("pk", flat=True)) == {
        screened.pk,
        failed.pk,
        placed.pk,
    }
    assert reach.passed_by_kind[StageKind.ASSESSMENT] == 3
    assert reach.cases == 4
    furthest = dict(cases.with_furthest().values_list("pk", "furthest"))
    assert furthest == {
        nothing.pk: -1,
        screened.pk: 1,
        failed.pk: 3,
        placed.pk: PAST_EVERY_STAGE,
    }


def _reach_queries(cases) -> int:
    with CaptureQueriesContext(connection) as context:
        stage_reach(cases)
        stage_reach_by(cases, site=F("site_id"), month=TruncMonth("opened_on"))
        list(cases.reaching(code="interview"))
        list(cases.with_stage(PASSED_OUTCOMES, kind=StageKind.ASSESSMENT))
    return len(context.captured_queries)


def test_reach_query_count_does_not_grow_with_the_cases(process):
    _started(process)
    cases = IntakeCase.objects.filter(site=process.site)
    few = _reach_queries(cases)
    for index in range(12):
        case = _open(process, day=D(2020, 1 + index % 6, 2))
        _record(case, "screening", day=D(2020, 7, 1))
        if index % 3:
            _record(case, "interview", NEGATIVE, day=D(2020, 7, 2))
    assert _reach_queries(cases) == few
    assert few == 6


def test_a_recorded_stage_costs_a_fixed_number_of_summary_queries(
    process, django_assert_max_num_queries
):
    cases = _started(process)
    with CaptureQueriesContext(connection) as first:
        _record(cases[1], "letter", COMPLETED)
    for _index in range(20):
        _record(_open(process), "screening")
    with django_assert_max_num_queries(len(first.captured_queries)):
        _record(cases[2], "letter", COMPLETED)


# Filling and checking -------------------------------------------------------


def test_the_data_migration_fills_the_summary_of_existing_cases(process):
    from django.apps import apps

    _started(process)
    _record(_open(process), "screening", NEGATIVE)
    expected = _stored()
    CaseStageReach.objects.all().delete()
    migration = importlib.import_module("intake.migrations.0011_case_stage_reach_fill")
    migration.forward(apps, SimpleNamespace(connection=connection))
    assert _stored() == expected
    assert stage_reach_drift() == []


def test_check_command_reports_drift_and_fix_recounts(process, capsys):
    cases = _started(process)
    call_command("check_stage_reach")
    assert "equals its recount" in capsys.readouterr().out
    CaseStageReach.objects.filter(case=cases[2]).update(furthest_order=1)
    CaseStageReach.objects.filter(case=cases[1]).delete()
    with pytest.raises(CommandError, match="2 cases differ"):
        call_command("check_stage_reach")
    out = capsys.readouterr().out
    assert f"case {cases[1].pk}: stored nothing recorded" in out
    assert f"case {cases[2].pk}: stored furthest order 1" in out
    call_command("check_stage_reach", "--fix")
    assert "2 cases recounted" in capsys.readouterr().out
    assert stage_reach_drift() == []


def test_the_nightly_check_recounts_drift_and_says_so_in_the_audit_log(process):
    from core.models import AuditEvent, AuditKind
    from intake.tasks import stage_reach_check

    cases = _started(process)
    expected = _stored()
    # a write around the services: a bulk update and a lost row
    CaseStageReach.objects.filter(case=cases[2]).update(furthest_order=1)
    CaseStageReach.objects.filter(case=cases[1]).delete()
    assert "2 case" in stage_reach_check()
    assert _stored() == expected
    event = AuditEvent.objects.get(kind=AuditKind.DATA_CHECK)
    assert "2 intake cases" in event.summary
    assert sorted(event.details["cases"]) == sorted([cases[1].pk, cases[2].pk])
    # nothing to recount: nothing recorded
    assert "0 case" in stage_reach_check()
    assert AuditEvent.objects.filter(kind=AuditKind.DATA_CHECK).count() == 1

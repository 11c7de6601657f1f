"""The answer summaries (answer counts and protective-factor scores per
measurement) equal a recount of the answers after every write.

The writers are enumerated: every public function of ``evaluation.services``
and ``evaluation.receivers`` either has a scenario here or is listed as a
read, so a new service fails ``test_every_service_is_a_scenario_or_a_read``
until it is checked.
"""

from __future__ import annotations

import datetime
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.periods import Period
from dashboards.metrics import rows_behind
from dashboards.scope import Scope
from dashboards.selectors import outcomes
from evaluation import receivers, services
from evaluation.catalogue import catalogue_load, parse_catalogue_file
from evaluation.models import (
    Answer,
    Item,
    Measurement,
    MeasurementAnswerCount,
    MeasurementFactorScore,
    MissingReason,
)
from evaluation.services import AnswerInput, measurement_save, schedule_sync_for_stay
from evaluation.summaries import (
    recount_answer_counts,
    recount_factor_scores,
    refresh_measurement_summaries,
    stored_answer_counts,
    stored_factor_scores,
    summary_drift,
)
from tests.factories import StayFactory
from trajectories.services import stay_end

pytestmark = pytest.mark.django_db

D = datetime.date
ALMELO_FILE = Path(settings.BASE_DIR) / "fixtures/reference/indicators/almelo.yaml"


def _save(measurement: Measurement, given: dict[str, object], **kwargs) -> None:
    """Save through the service: a str of MissingReason is a missing answer,
    None clears the item, anything else is its value."""
    items = {i.var: i for i in Item.objects.filter(catalogue=measurement.catalogue)}
    answers = {}
    for var, value in given.items():
        if value in MissingReason.values:
            answers[items[var]] = AnswerInput(missing_reason=str(value))
        else:
            answers[items[var]] = AnswerInput(value=value)
    measurement.refresh_from_db()
    measurement_save(
        measurement=measurement,
        answers=answers,
        expected_version=measurement.version,
        user=None,
        **kwargs,
    )


@pytest.fixture
def stay(almelo):
    catalogue_load(parsed=parse_catalogue_file(ALMELO_FILE), site=almelo)
    stay = StayFactory(site=almelo, placed_on=D(2021, 3, 1))
    schedule_sync_for_stay(stay=stay, today=D(2021, 3, 1))
    _save(
        _nulmeting(stay),
        {
            "alm_ri_woonsituatie": "positief",
            "alm_ri_werk": "zeer_negatief",
            "alm_ri_financien": "refused",
            "alm_ri_psychisch": "neutraal",
        },
    )
    return stay


def _nulmeting(stay) -> Measurement:
    return Measurement.objects.get(stay=stay, moment="nulmeting")


def _eindmeting(stay) -> Measurement:
    return Measurement.objects.get(stay=stay, moment="eindmeting")


# One scenario per writer: it writes through that writer, on a stay whose
# nulmeting already holds answers.


def _measurement_save(stay) -> None:
    nulmeting = _nulmeting(stay)
    _save(
        nulmeting,
        {
            "alm_ri_woonsituatie": "zeer_positief",  # changed
            "alm_ri_werk": None,  # cleared: the answer is deleted
            "alm_ri_houding_gedrag": "unknown",
            "alm_ri_sociaal_netwerk": "negatief",
        },
    )
    assert stored_answer_counts([nulmeting.pk])[nulmeting.pk]["missing_unknown"] == 1
    scores = stored_factor_scores([nulmeting.pk])
    assert scores[(nulmeting.pk, "woonsituatie")][:2] == (5, 1)
    assert (nulmeting.pk, "opleiding_werk") not in scores


def _measurement_save_complete(stay) -> None:
    """Completing stores not-applicable and derived answers as well."""
    nulmeting = _nulmeting(stay)
    items = services.items_for(nulmeting.catalogue, nulmeting.moment)
    stored = set(nulmeting.answers.values_list("item_id", flat=True))
    answers = {
        item: AnswerInput(missing_reason=MissingReason.NOT_ASKED)
        for item in items
        if item.pk not in stored and not item.condition
    }
    nulmeting.refresh_from_db()
    measurement_save(
        measurement=nulmeting,
        answers=answers,
        expected_version=nulmeting.version,
        user=None,
        complete=True,
    )
    counts = stored_answer_counts([nulmeting.pk])[nulmeting.pk]
    assert counts["missing_not_asked"] == len(answers)


def _measurement_reopen(stay) -> None:
    _measurement_save_complete(stay)
    services.measurement_reopen(
        measurement=_nulmeting(stay), user=None, reason="typefout"
    )
    _save(_nulmeting(stay), {"alm_ri_woonsituatie": "negatief"})


def _schedule_sync_for_stay(stay) -> None:
    schedule_sync_for_stay(stay=stay, today=D(2022, 6, 1))


def _schedules_sync_due(stay) -> None:
    services.schedules_sync_due(every_stay=True)


def _kv_measurement_create(stay) -> None:
    services.kv_measurement_create(
        site=stay.site, period_start=D(2021, 1, 1), period_end=D(2021, 12, 31)
    )


def _stay_changed(stay) -> None:
    """Outflow: the receivers re-plan the schedule and move the outflow date
    into the factor scores; the eindmeting is answered afterwards."""
    stay_end(stay=stay, ended_on=D(2021, 9, 1), outflow_type="end_of_sentence")
    _save(_eindmeting(stay), {"alm_ri_woonsituatie": "neutraal"})
    assert {row[4] for row in stored_factor_scores().values()} == {D(2021, 9, 1)}


SCENARIOS: dict[str, Callable] = {
    "measurement_save": _measurement_save,
    "measurement_save:complete": _measurement_save_complete,
    "measurement_reopen": _measurement_reopen,
    "schedule_sync_for_stay": _schedule_sync_for_stay,
    "schedules_sync_due": _schedules_sync_due,
    "kv_measurement_create": _kv_measurement_create,
    "measurement_schedule_follows_stay": _stay_changed,
    "factor_scores_follow_stay": _stay_changed,
}
#: public functions of those modules that write nothing
READS = {"items_for", "item_label", "called_for", "answerable"}


def _public_functions(module) -> set[str]:
    """Public functions defined in ``module`` or, for a package, in any of
    its modules (re-exported or not)."""
    modules = [module] + [
        importlib.import_module(f"{module.__name__}.{info.name}")
        for info in pkgutil.iter_modules(getattr(module, "__path__", []))
    ]
    return {
        name
        for each in modules
        for name, function in inspect.getmembers(each, inspect.isfunction)
        if function.__module__ == each.__name__ and not name.startswith("_")
    }


def test_every_service_is_a_scenario_or_a_read():
    enumerated = _public_functions(services) | _public_functions(receivers)
    scenarios = {name.partition(":")[0] for name in SCENARIOS}
    assert enumerated == scenarios | READS


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_after_each_writer_every_summary_equals_a_recount(stay, name):
    assert stored_factor_scores()  # the stay's nulmeting is summarised
    SCENARIOS[name](stay)
    assert summary_drift() == []
    assert stored_answer_counts() == recount_answer_counts() != {}
    assert stored_factor_scores() == recount_factor_scores() != {}


# Writes outside the services (the shell, a data fix) are kept too.


def test_answers_saved_or_deleted_without_a_service_keep_the_summaries(stay):
    nulmeting = _nulmeting(stay)
    item = Item.objects.get(catalogue=nulmeting.catalogue, var="alm_ri_vrijetijd")
    answer = Answer.objects.create(measurement=nulmeting, item=item, value="positief")
    assert summary_drift() == []
    answer.value, answer.missing_reason = None, MissingReason.REFUSED
    answer.save()
    assert summary_drift() == []
    answer.delete()
    assert summary_drift() == []
    Answer.objects.filter(measurement=nulmeting, item__var="alm_ri_werk").delete()
    assert summary_drift() == []
    assert (nulmeting.pk, "opleiding_werk") not in stored_factor_scores()


def test_a_deleted_measurement_takes_its_summaries_along(stay):
    nulmeting = _nulmeting(stay)
    nulmeting.answers.all().delete()
    nulmeting.delete()
    assert not MeasurementAnswerCount.objects.exists()
    assert not MeasurementFactorScore.objects.exists()


def test_drift_is_found_and_the_command_rebuilds_it(stay):
    nulmeting = _nulmeting(stay)
    MeasurementAnswerCount.objects.filter(pk=nulmeting.pk).update(answered=99)
    MeasurementFactorScore.objects.filter(factor="woonsituatie").delete()
    problems = summary_drift()
    assert len(problems) == 2
    assert "answered" in problems[0]
    assert "woonsituatie" in problems[1]
    with pytest.raises(CommandError):
        call_command("answer_summaries", "--check", stdout=_Discard())
    call_command("answer_summaries", "--rebuild", stdout=_Discard())
    assert summary_drift() == []
    call_command("answer_summaries", "--check", stdout=_Discard())


class _Discard:
    def write(self, text: str) -> None:
        pass


class _Editor:
    """What the data migrations use of a schema editor."""

    connection = connection

    def execute(self, sql: str, params) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def test_the_data_migrations_fill_the_summaries_of_existing_answers(stay):
    _measurement_save(stay)
    expected = (stored_answer_counts(), stored_factor_scores())
    MeasurementAnswerCount.objects.all().delete()
    MeasurementFactorScore.objects.all().delete()
    for name in (
        "0012_fill_measurement_answer_counts",
        "0014_fill_measurement_factor_scores",
    ):
        importlib.import_module(f"evaluation.migrations.{name}").fill(apps, _Editor())
    assert (stored_answer_counts(), stored_factor_scores()) == expected
    assert summary_drift() == []


# Bounded work: the summaries cost the same queries however many answers.


def _summary_queries(queries) -> int:
    return sum(
        "measurementanswercount" in q["sql"] or "measurementfactorscore" in q["sql"]
        for q in queries
    )


@pytest.mark.parametrize("count", [1, 6])
def test_a_save_refreshes_the_summaries_in_four_queries(stay, count):
    variables = [
        "alm_ri_woonsituatie",
        "alm_ri_werk",
        "alm_ri_financien",
        "alm_ri_psychisch",
        "alm_ri_vrijetijd",
        "alm_ri_middelengebruik",
    ]
    with CaptureQueriesContext(connection) as queries:
        _save(_nulmeting(stay), dict.fromkeys(variables[:count], "neutraal"))
    # a delete and an INSERT ... SELECT per summary
    assert _summary_queries(queries.captured_queries) == 4
    assert summary_drift() == []


def test_refreshing_many_measurements_is_four_queries(stay):
    schedule_sync_for_stay(stay=stay, today=D(2022, 6, 1))
    ids = list(Measurement.objects.values_list("pk", flat=True))
    assert len(ids) > 3
    with CaptureQueriesContext(connection) as queries:
        refresh_measurement_summaries(measurement_ids=ids)
    assert len(queries.captured_queries) == 4


def test_the_completeness_and_factor_figures_are_one_query_each(
    stay, django_assert_num_queries
):
    stay_end(stay=stay, ended_on=D(2021, 9, 1), outflow_type="end_of_sentence")
    scope = Scope((stay.site_id,), Period(D(2021, 1, 1), D(2021, 12, 31)))
    with django_assert_num_queries(1):
        rows = {row.moment: row for row in outcomes.completeness_by_moment(scope)}
    assert rows["nulmeting"].answers == 3
    assert rows["nulmeting"].missing == {"refused": 1}
    with django_assert_num_queries(1):
        change = {row.code: row for row in outcomes.factor_change(scope)}
    assert change["woonsituatie"].means["nulmeting"] == 4
    assert change["opleiding_werk"].counts["nulmeting"] == 1
    assert change["financien"].counts["nulmeting"] == 0
    # the case lists behind them select through the same summaries
    for metric, key, figure in (
        ("completeness", "nulmeting:refused", rows["nulmeting"].missing["refused"]),
        ("factor", "woonsituatie:nulmeting", 1),
        ("factor", "financien:nulmeting", 0),
    ):
        assert rows_behind(scope, metric, key).rows.count() == figure, key


def test_the_nightly_check_recomputes_drift_and_says_so_in_the_audit_log(stay):
    from core.models import AuditEvent, AuditKind
    from evaluation.tasks import answer_summaries_check

    nulmeting = _nulmeting(stay)
    expected = stored_answer_counts([nulmeting.pk])
    # a write around the services: a bulk update and a lost row
    MeasurementAnswerCount.objects.filter(pk=nulmeting.pk).update(answered=99)
    MeasurementFactorScore.objects.filter(factor="woonsituatie").delete()
    assert "1 measurement" in answer_summaries_check()
    assert summary_drift() == []
    assert stored_answer_counts([nulmeting.pk]) == expected
    event = AuditEvent.objects.get(kind=AuditKind.DATA_CHECK)
    assert "1 measurements" in event.summary
    assert event.details["measurements"] == [nulmeting.pk]
    # nothing to repair: nothing recorded
    assert "0 measurement" in answer_summaries_check()
    assert AuditEvent.objects.filter(kind=AuditKind.DATA_CHECK).count() == 1

"""Summaries of the answers of person-level measurements, kept exact.

Two tables add up the answers so the dashboards never read them one by one:

``MeasurementAnswerCount``
    per measurement the answers given and the missing ones per reason
    (the completeness figures);
``MeasurementFactorScore``
    per measurement and protective factor the sum and number of the scored
    five-point answers (the change on the protective factors).

One refresh function per summary recomputes it for a set of measurements
from their answers, set-based: a delete and an ``INSERT ... SELECT`` each,
whatever the number of measurements. Every write of an answer reaches them
in its own transaction: the services write answers inside
``answers_written_together()``, which refreshes each measurement once when
they are done, and an answer saved or deleted any other way (the shell, a
data fix) is refreshed by the ``post_save``/``post_delete`` receivers at
the bottom of this module. The stay's outflow date copied into the factor
scores follows ``stay_changed`` (``evaluation.receivers``).

``recount_*`` recompute both from the answers in Python, another way than
the refresh, so ``summary_drift`` (the tests and ``manage.py
answer_summaries --check``) can prove the stored rows right.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils.translation import gettext_noop

from core.db import insert_from_select
from core.models import AuditKind
from core.services import audit_event_record
from evaluation.models import (
    Answer,
    MeasurementAnswerCount,
    MeasurementFactorScore,
    MissingReason,
)
from evaluation.protective_factors import protective_factors

logger = logging.getLogger(__name__)

#: at most this many repaired rows are named in the audit log's details
REPAIRS_LISTED = 100
#: measurements to summarise; None: every measurement
Ids = Collection[int] | None
#: measurement ids whose answers changed inside ``answers_written_together``
_pending: ContextVar[set[int] | None] = ContextVar("answer_summaries", default=None)


def _answers_of(measurement_ids: Ids) -> QuerySet[Answer]:
    answers = Answer.objects.order_by()
    if measurement_ids is not None:
        answers = answers.filter(measurement_id__in=list(measurement_ids))
    return answers


def answer_count_rows(measurement_ids: Ids = None) -> QuerySet:
    """Per measurement with answers: (measurement_id, answered, then the
    missing ones per reason in ``MissingReason`` order)."""
    missing = {
        MeasurementAnswerCount.missing_field(reason): Count(
            "pk", filter=Q(missing_reason=reason)
        )
        for reason in MissingReason.values
    }
    return (
        _answers_of(measurement_ids)
        .values("measurement_id")
        .annotate(answered=Count("pk", filter=Q(missing_reason="")), **missing)
    )


ANSWER_COUNT_COLUMNS = [
    "measurement_id",
    "answered",
    *(MeasurementAnswerCount.missing_field(r) for r in MissingReason.values),
]


def refresh_answer_counts(*, measurement_ids: Ids) -> None:
    """Recompute ``MeasurementAnswerCount`` of these measurements (None:
    of every measurement) from their answers."""
    stored = MeasurementAnswerCount.objects.all()
    if measurement_ids is not None:
        if not measurement_ids:
            return
        stored = stored.filter(measurement_id__in=list(measurement_ids))
    stored.delete()
    insert_from_select(
        MeasurementAnswerCount, ANSWER_COUNT_COLUMNS, answer_count_rows(measurement_ids)
    )


def factor_score_rows(measurement_ids: Ids = None) -> QuerySet:
    """Per measurement and factor with a scored answer: (measurement_id,
    site_id, moment, stay_ended_on, factor, score_sum, answered)."""
    config = protective_factors()
    scores: dict[str, int] = config["scores"]
    variables = [var for factor in config["factors"] for var in factor["vars"]]
    return (
        _answers_of(measurement_ids)
        .filter(item__var__in=variables, value__in=list(scores))
        .annotate(
            factor_code=Case(
                *(
                    When(item__var__in=factor["vars"], then=Value(factor["code"]))
                    for factor in config["factors"]
                ),
                output_field=CharField(),
            ),
            score=Case(
                *(When(value=label, then=Value(n)) for label, n in scores.items()),
                output_field=IntegerField(),
            ),
        )
        .values(
            "measurement_id",
            "measurement__stay__site_id",
            "measurement__moment",
            "measurement__stay__ended_on",
            "factor_code",
        )
        .annotate(score_sum=Sum("score"), answered=Count("pk"))
    )


FACTOR_SCORE_COLUMNS = [
    "measurement_id",
    "site_id",
    "moment",
    "stay_ended_on",
    "factor",
    "score_sum",
    "answered",
]


def refresh_factor_scores(*, measurement_ids: Ids) -> None:
    """Recompute ``MeasurementFactorScore`` of these measurements (None: of
    every measurement) from their answers and the factor definition."""
    stored = MeasurementFactorScore.objects.all()
    if measurement_ids is not None:
        if not measurement_ids:
            return
        stored = stored.filter(measurement_id__in=list(measurement_ids))
    stored.delete()
    insert_from_select(
        MeasurementFactorScore, FACTOR_SCORE_COLUMNS, factor_score_rows(measurement_ids)
    )


def refresh_measurement_summaries(*, measurement_ids: Ids) -> None:
    """Both summaries of these measurements (None: of all of them)."""
    refresh_answer_counts(measurement_ids=measurement_ids)
    refresh_factor_scores(measurement_ids=measurement_ids)


def factor_scores_follow_stay(*, stay_id: int, ended_on: datetime.date | None) -> int:
    """The stay's outflow date in its measurements' factor scores."""
    return MeasurementFactorScore.objects.filter(measurement__stay_id=stay_id).update(
        stay_ended_on=ended_on
    )


@contextmanager
def answers_written_together() -> Iterator[None]:
    """Answers saved or deleted inside refresh their measurements' summaries
    once, at the end (call it inside the service's transaction). Nested
    use refreshes at the end of the outermost."""
    if _pending.get() is not None:
        yield
        return
    token = _pending.set(set())
    try:
        yield
        changed = _pending.get() or set()
    finally:
        _pending.reset(token)
    refresh_measurement_summaries(measurement_ids=changed)


def answers_changed(measurement_id: int) -> None:
    """An answer of this measurement was saved or deleted."""
    pending = _pending.get()
    if pending is not None:
        pending.add(measurement_id)
    else:
        refresh_measurement_summaries(measurement_ids=[measurement_id])


def answer_saved_or_deleted(sender: Any, instance: Answer, **kwargs: Any) -> None:
    """Receiver of ``post_save`` and ``post_delete`` of ``Answer``."""
    if kwargs.get("raw"):  # loaddata: the summaries are rebuilt after it
        return
    answers_changed(instance.measurement_id)


# Reads: the summaries recounted from the answers, and where they differ.

AnswerCounts = dict[int, dict[str, int]]
FactorScores = dict[tuple[int, str], tuple[int, int, int, str, Any]]


def recount_answer_counts(measurement_ids: Ids = None) -> AnswerCounts:
    """Per measurement with answers: ``answered`` and ``missing_<reason>``
    counted answer by answer."""
    found: AnswerCounts = {}
    rows = _answers_of(measurement_ids).values_list("measurement_id", "missing_reason")
    for measurement_id, reason in rows.iterator(chunk_size=5000):
        counts = found.setdefault(
            measurement_id, dict.fromkeys(ANSWER_COUNT_COLUMNS[1:], 0)
        )
        column = MeasurementAnswerCount.missing_field(reason) if reason else "answered"
        counts[column] += 1
    return found


def stored_answer_counts(measurement_ids: Ids = None) -> AnswerCounts:
    rows = MeasurementAnswerCount.objects.order_by()
    if measurement_ids is not None:
        rows = rows.filter(measurement_id__in=list(measurement_ids))
    return {
        row[0]: dict(zip(ANSWER_COUNT_COLUMNS[1:], row[1:], strict=True))
        for row in rows.values_list(*ANSWER_COUNT_COLUMNS).iterator(chunk_size=5000)
    }


def recount_factor_scores(measurement_ids: Ids = None) -> FactorScores:
    """Per (measurement, factor): (score sum, answers, site, moment, outflow
    date of the stay), scored answer by answer."""
    config = protective_factors()
    scores: dict[str, int] = config["scores"]
    factor_of = {
        var: factor["code"] for factor in config["factors"] for var in factor["vars"]
    }
    sums: dict[tuple[int, str], list[Any]] = {}
    rows = _answers_of(measurement_ids).values_list(
        "measurement_id",
        "item__var",
        "value",
        "measurement__stay__site_id",
        "measurement__moment",
        "measurement__stay__ended_on",
    )
    for measurement_id, var, value, site_id, moment, ended_on in rows.iterator(
        chunk_size=5000
    ):
        if var not in factor_of or not isinstance(value, str) or value not in scores:
            continue
        entry = sums.setdefault(
            (measurement_id, factor_of[var]), [0, 0, site_id, moment, ended_on]
        )
        entry[0] += scores[value]
        entry[1] += 1
    return {key: tuple(entry) for key, entry in sums.items()}  # type: ignore[misc]


def stored_factor_scores(measurement_ids: Ids = None) -> FactorScores:
    rows = MeasurementFactorScore.objects.order_by()
    if measurement_ids is not None:
        rows = rows.filter(measurement_id__in=list(measurement_ids))
    return {
        (mid, factor): (total, n, site_id, moment, ended_on)
        for mid, factor, total, n, site_id, moment, ended_on in rows.values_list(
            "measurement_id",
            "factor",
            "score_sum",
            "answered",
            "site_id",
            "moment",
            "stay_ended_on",
        ).iterator(chunk_size=5000)
    }


def _drift(measurement_ids: Ids = None) -> list[tuple[str, Any, Any, Any]]:
    """(summary, key, stored, recounted) of every row that differs."""
    found = []
    for name, stored, counted in (
        (
            "answer count",
            stored_answer_counts(measurement_ids),
            recount_answer_counts(measurement_ids),
        ),
        (
            "factor score",
            stored_factor_scores(measurement_ids),
            recount_factor_scores(measurement_ids),
        ),
    ):
        by_key: dict[Any, list[Any]] = defaultdict(lambda: [None, None])
        for key, value in stored.items():
            by_key[key][0] = value
        for key, value in counted.items():
            by_key[key][1] = value
        found += [
            (name, key, have, want)
            for key, (have, want) in sorted(by_key.items(), key=lambda kv: str(kv[0]))
            if have != want
        ]
    return found


def summary_drift(measurement_ids: Ids = None) -> list[str]:
    """Every stored summary row that differs from a recount of the answers,
    in words; empty when both summaries are exact."""
    return [
        f"{name} {key}: stored {have}, recounted {want}"
        for name, key, have, want in _drift(measurement_ids)
    ]


SUMMARIES_REPAIRED = gettext_noop(
    "The answer summaries of %(count)s measurements differed from a recount "
    "of their answers and were recomputed"
)


def _drifting_measurements(measurement_ids: Ids = None) -> list[int]:
    return sorted(
        {
            key if isinstance(key, int) else key[0]
            for _name, key, _have, _want in _drift(measurement_ids)
        }
    )


def answer_summaries_repair() -> int:
    """Nightly: recompute the summaries of every measurement whose stored
    rows differ from its answers, and say so in the audit log.

    The services and the answer receivers keep the summaries exact; this
    catches a write around them (a bulk update, raw SQL, a restored table).
    Returns how many measurements were recomputed."""
    ids = _drifting_measurements()
    if not ids:
        return 0
    with transaction.atomic():
        # again, for those measurements only: answers that committed between
        # the two reads of the full check are no drift
        ids = _drifting_measurements(ids)
        if not ids:
            return 0
        refresh_measurement_summaries(measurement_ids=ids)
        audit_event_record(
            actor=None,
            kind=AuditKind.DATA_CHECK,
            summary=SUMMARIES_REPAIRED,
            params={"count": len(ids)},
            details={"measurements": ids[:REPAIRS_LISTED]},
        )
    logger.warning("answer summaries of %s measurements recomputed", len(ids))
    return len(ids)

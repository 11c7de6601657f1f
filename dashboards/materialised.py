"""Stored snapshots of the programme overview's figures, recomputed by the worker.

Across a hundred sites the overview aggregates a year of stays, stage events
and answers: about half a second of database and Python work, more on a
busy machine. A national project leader opens exactly that page, so what it
shows is materialised: one :class:`~dashboards.models.MaterialisedFigures`
row per scope (the exact set of sites the reader may see, the period and
the language) that the page reads instead of computing, and that the worker
recomputes in the background.

Why the numbers stay exact and explainable:

- a row holds exactly what :func:`dashboards.overview.overview_figures` (the
  one computation, also used when nothing is stored) returned at
  ``computed_at``, and the page says when that was and how often it is
  recomputed;
- every minute the worker (:func:`figures_refresh_due`) recomputes the rows
  read in the last day that are older than ``KV_OVERVIEW_REFRESH_SECONDS``,
  most recently read first, within a time budget per run;
- a row older than ``KV_OVERVIEW_STALE_SECONDS`` is never shown: the request
  computes, as does the first reader of a new period or set of sites;
- the case lists behind the numbers are always read live.

What is bounded: the worker's time per run (``REFRESH_BUDGET_SECONDS``), the
rows kept (``MAX_ROWS``, the most recently read) and the time a row is kept
unread (``KV_OVERVIEW_KEEP_DAYS``). Rows hold numbers, labels and links, no
personal data (``B7Result.without_people``), and are read back by an
unpickler that accepts nothing but the classes listed here.

The rows are derived data that only this module writes, so it holds their
writes instead of a services module.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from functools import cache

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.safestring import SafeString

from core.periods import Period
from dashboards.b7.results import B7Result, B7Row, B7Section, B7Table, Participants
from dashboards.charts import Cell, DataTable, Panel, Series
from dashboards.models import MaterialisedFigures
from dashboards.overview import OverviewFigures, overview_figures
from dashboards.scope import Scope
from dashboards.selectors.flow import SiteSummary

logger = logging.getLogger(__name__)

KIND = "overview"
#: the application's classes a stored row may contain; their fields make up
#: the row's format, so a deployment that changes one never reads old rows
PAYLOAD_CLASSES: tuple[type, ...] = (
    OverviewFigures,
    SiteSummary,
    Panel,
    DataTable,
    Cell,
    Series,
    B7Result,
    B7Table,
    B7Section,
    B7Row,
    Participants,
)
#: everything a stored row may refer to; reading refuses anything else
_ALLOWED_GLOBALS = frozenset(
    {(cls.__module__, cls.__qualname__) for cls in PAYLOAD_CLASSES}
    | {("datetime", "date"), (SafeString.__module__, SafeString.__qualname__)}
)
#: rows read this recently are kept fresh by the worker; older ones are
#: recomputed by their next reader
RECENTLY_READ = datetime.timedelta(days=1)
#: the worker's time per run (it runs every minute)
REFRESH_BUDGET_SECONDS = 30.0
#: rows kept at most, the most recently read (about 0.1-1 MB each)
MAX_ROWS = 500
#: how long one worker may take to recompute a row before another may
_LEASE = datetime.timedelta(minutes=10)


@cache
def payload_format() -> str:
    """A fingerprint of the stored classes and their fields (fixed while the
    code runs, so computed once rather than on every page)."""
    described = ";".join(
        f"{cls.__module__}.{cls.__qualname__}:{','.join(f.name for f in fields(cls))}"
        for cls in PAYLOAD_CLASSES
    )
    return hashlib.sha256(described.encode()).hexdigest()[:16]


class _Unpickler(pickle.Unpickler):
    """Reads back only the classes this module stores, so a row (or a
    restored backup of one) cannot name a function to call."""

    def find_class(self, module: str, name: str) -> type:
        if (module, name) not in _ALLOWED_GLOBALS:
            raise pickle.UnpicklingError(f"{module}.{name} is not stored here")
        return super().find_class(module, name)


def figures_dump(figures: OverviewFigures) -> bytes:
    """The bytes a row stores."""
    return pickle.dumps(figures, protocol=pickle.HIGHEST_PROTOCOL)


def figures_load(payload: bytes) -> OverviewFigures:
    """The figures a row stores; ``UnpicklingError`` for anything else."""
    figures = _Unpickler(io.BytesIO(bytes(payload))).load()
    if not isinstance(figures, OverviewFigures):
        raise pickle.UnpicklingError("not an overview's figures")
    return figures


def _key(scope: Scope, language: str) -> str:
    raw = "|".join(
        [
            KIND,
            ",".join(str(pk) for pk in sorted(scope.site_ids)),
            scope.period.start.isoformat(),
            scope.period.end.isoformat(),
            scope.cases_url,
            language,
            payload_format(),
        ]
    )
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class ServedFigures:
    """The overview's figures and, when they were stored, their moment."""

    figures: OverviewFigures
    #: when the figures were computed; None: computed for this request
    computed_at: datetime.datetime | None = None

    @property
    def refresh_minutes(self) -> int:
        return _minutes(settings.KV_OVERVIEW_REFRESH_SECONDS)

    @property
    def stale_minutes(self) -> int:
        return _minutes(settings.KV_OVERVIEW_STALE_SECONDS)


def _minutes(seconds: int) -> int:
    """Whole minutes as the page says them, at least one."""
    return max(1, round(seconds / 60))


def overview_figures_serve(scope: Scope) -> ServedFigures:
    """The overview's figures for ``scope``: from its row when fresh enough,
    else computed here and stored for the next reader and the worker.

    The caller's view must not run in a request-wide transaction
    (``transaction.non_atomic_requests``): the writes here then commit at
    once instead of holding the row's lock while the page renders.
    """
    if not settings.KV_OVERVIEW_MATERIALISED:
        return ServedFigures(overview_figures(scope))
    language = translation.get_language() or settings.LANGUAGE_CODE
    key = _key(scope, language)
    now = timezone.now()
    row = (
        MaterialisedFigures.objects.filter(
            key=key,
            computed_at__gte=now
            - datetime.timedelta(seconds=settings.KV_OVERVIEW_STALE_SECONDS),
        )
        .only("payload", "computed_at", "read_at")
        .first()
    )
    if row is not None:
        try:
            figures = figures_load(row.payload)
        except Exception:  # any unreadable row: computed below, as if missing
            logger.exception("materialised figures %s unreadable", row.pk)
        else:
            read_mark = datetime.timedelta(seconds=settings.KV_OVERVIEW_REFRESH_SECONDS)
            if row.read_at < now - read_mark:
                _best_effort(
                    lambda: MaterialisedFigures.objects.filter(pk=row.pk).update(
                        read_at=now
                    )
                )
            return ServedFigures(figures, row.computed_at)
    started = time.perf_counter()
    figures = overview_figures(scope)
    took_ms = round((time.perf_counter() - started) * 1000)
    _best_effort(
        lambda: MaterialisedFigures.objects.update_or_create(
            key=key,
            defaults={
                "kind": KIND,
                "site_ids": sorted(scope.site_ids),
                "period_start": scope.period.start,
                "period_end": scope.period.end,
                "cases_url": scope.cases_url,
                "language": language,
                "format": payload_format(),
                "payload": figures_dump(figures),
                "computed_at": now,
                "compute_ms": took_ms,
                "read_at": now,
                "refreshing_until": None,
            },
        )
    )
    return ServedFigures(figures, now)


def _best_effort(write: Callable[[], object]) -> None:
    """A page's write to its figures may fail (another request stored the
    same scope at the same moment, a locked SQLite file): the reader still
    gets the figures."""
    try:
        with transaction.atomic():
            write()
    except DatabaseError as error:
        logger.warning("materialised figures not stored: %s", error)


def figure_row_refresh(row: MaterialisedFigures) -> bool:
    """Recompute one row; False when another worker holds it, when it
    failed (logged, the row is left as it was) or when a reader stored newer
    figures meanwhile."""
    now = timezone.now()
    lease = now + _LEASE
    free = Q(refreshing_until__isnull=True) | Q(refreshing_until__lt=now)
    if not MaterialisedFigures.objects.filter(free, pk=row.pk).update(
        refreshing_until=lease
    ):
        return False
    mine = MaterialisedFigures.objects.filter(pk=row.pk, refreshing_until=lease)
    scope = Scope(
        tuple(row.site_ids), Period(row.period_start, row.period_end), row.cases_url
    )
    started = time.perf_counter()
    try:
        with translation.override(row.language):
            figures = overview_figures(scope)
    except Exception:  # one bad row must not stop the others
        logger.exception("materialised figures %s could not be recomputed", row.pk)
        mine.update(refreshing_until=None)
        return False
    # a reader who stored fresher figures meanwhile took the lease away
    return bool(
        mine.filter(computed_at__lte=now).update(
            payload=figures_dump(figures),
            computed_at=now,
            compute_ms=round((time.perf_counter() - started) * 1000),
            refreshing_until=None,
        )
    )


def figures_refresh_due(*, budget_seconds: float = REFRESH_BUDGET_SECONDS) -> int:
    """The worker's run: recompute the rows read in the last day that are
    older than ``KV_OVERVIEW_REFRESH_SECONDS``, the most recently read
    first, for at most ``budget_seconds``; delete rows of another format,
    rows nobody read for ``KV_OVERVIEW_KEEP_DAYS`` days and all but the
    ``MAX_ROWS`` most recently read. Returns how many rows were recomputed."""
    if not settings.KV_OVERVIEW_MATERIALISED:
        MaterialisedFigures.objects.all().delete()
        return 0
    now = timezone.now()
    MaterialisedFigures.objects.filter(
        Q(read_at__lt=now - datetime.timedelta(days=settings.KV_OVERVIEW_KEEP_DAYS))
        | ~Q(format=payload_format())
    ).delete()
    beyond = MaterialisedFigures.objects.order_by("-read_at").values_list(
        "pk", flat=True
    )[MAX_ROWS:]
    MaterialisedFigures.objects.filter(pk__in=list(beyond)).delete()
    due = (
        MaterialisedFigures.objects.filter(
            Q(refreshing_until__isnull=True) | Q(refreshing_until__lt=now),
            computed_at__lt=now
            - datetime.timedelta(seconds=settings.KV_OVERVIEW_REFRESH_SECONDS),
            read_at__gte=now - RECENTLY_READ,
        )
        .order_by("-read_at")
        .defer("payload")
    )
    started = time.perf_counter()
    refreshed = 0
    for row in due.iterator():
        if time.perf_counter() - started > budget_seconds:
            break
        refreshed += figure_row_refresh(row)
    return refreshed

"""Programme-overview figures computed by the worker and read by the page.

Across a hundred sites the overview aggregates a year of stays, stage events
and answers: about half a second of database and Python work per request,
more on a busy machine. A national project leader opens exactly that page,
so its figures are materialised: one row per scope
(:class:`~dashboards.models.MaterialisedFigures`) that the page reads instead
of computing, and that the worker recomputes in the background.

Why the numbers stay exact and explainable:

- a row holds exactly what :func:`dashboards.overview.overview_figures` (the
  one computation, also used live) returned at ``computed_at``, and the page
  says when that was and how often it is recomputed;
- the worker (:func:`figures_refresh_due`, every minute) recomputes every row
  older than ``KV_OVERVIEW_REFRESH_SECONDS``;
- a row older than ``KV_OVERVIEW_STALE_SECONDS`` (the worker has stopped) is
  never shown: the request computes, as does the first request of a scope;
- the case lists behind the numbers are always read live.

A scope is the exact set of sites the reader may see, the period and the
language, so a reader is only ever served figures of their own sites. Rows
nobody read for ``KV_OVERVIEW_KEEP_DAYS`` days are deleted.
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
from typing import Any

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

#: what each kind of row holds and how it is computed
BUILDERS: dict[str, Callable[[Scope], Any]] = {"overview": overview_figures}

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
#: everything else a stored row may refer to; unpickling refuses the rest
_OTHER_GLOBALS = {
    ("builtins", "set"),
    ("builtins", "frozenset"),
    ("builtins", "getattr"),
    ("copyreg", "_reconstructor"),
    ("builtins", "object"),
    ("builtins", "str"),
    ("datetime", "date"),
    ("django.utils.safestring", "SafeString"),
}
#: a row read less than this long ago is not marked as read again
_READ_MARK = datetime.timedelta(hours=1)
#: how long one worker may take to recompute a row before another may
_LEASE = datetime.timedelta(minutes=10)


def payload_format() -> str:
    """A fingerprint of the stored classes and their fields."""
    described = ";".join(
        f"{cls.__module__}.{cls.__qualname__}:{','.join(f.name for f in fields(cls))}"
        for cls in PAYLOAD_CLASSES
    )
    return hashlib.sha256(described.encode()).hexdigest()[:16]


class _Unpickler(pickle.Unpickler):
    """Reads back only what this module stores."""

    allowed = {(cls.__module__, cls.__qualname__) for cls in PAYLOAD_CLASSES}
    allowed |= _OTHER_GLOBALS | {(SafeString.__module__, SafeString.__qualname__)}

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self.allowed:
            raise pickle.UnpicklingError(f"{module}.{name} is not stored here")
        return super().find_class(module, name)


def dumps(figures: Any) -> bytes:
    return pickle.dumps(figures, protocol=pickle.HIGHEST_PROTOCOL)


def loads(payload: bytes) -> Any:
    return _Unpickler(io.BytesIO(bytes(payload))).load()


def _key(kind: str, scope: Scope, language: str) -> str:
    raw = "|".join(
        [
            kind,
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
class Served:
    """Figures for a page and, when they were materialised, their moment."""

    figures: Any
    #: when the figures were computed; None: computed for this request
    computed_at: datetime.datetime | None = None

    @property
    def refresh_minutes(self) -> int:
        return max(1, round(settings.KV_OVERVIEW_REFRESH_SECONDS / 60))


def served(kind: str, scope: Scope) -> Served:
    """The figures of ``scope``: from its row when fresh enough, else computed.

    A computed result is stored, so the next reader (and the worker) find it.
    """
    build = BUILDERS[kind]
    if not settings.KV_OVERVIEW_MATERIALISED:
        return Served(build(scope))
    language = translation.get_language() or settings.LANGUAGE_CODE
    key = _key(kind, scope, language)
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
            figures = loads(row.payload)
        except (pickle.UnpicklingError, AttributeError, EOFError, TypeError) as error:
            logger.warning("materialised figures %s unreadable: %s", row.pk, error)
        else:
            if row.read_at < now - _READ_MARK:
                _best_effort(
                    lambda: MaterialisedFigures.objects.filter(pk=row.pk).update(
                        read_at=now
                    )
                )
            return Served(figures, row.computed_at)
    figures, took_ms = _compute(build, scope)
    _store(kind, scope, language, key, figures, computed_at=now, took_ms=took_ms)
    return Served(figures, now)


def _compute(build: Callable[[Scope], Any], scope: Scope) -> tuple[Any, int]:
    started = time.perf_counter()
    figures = build(scope)
    return figures, round((time.perf_counter() - started) * 1000)


def _store(
    kind: str,
    scope: Scope,
    language: str,
    key: str,
    figures: Any,
    *,
    computed_at: datetime.datetime,
    took_ms: int,
) -> None:
    values = {
        "kind": kind,
        "site_ids": sorted(scope.site_ids),
        "period_start": scope.period.start,
        "period_end": scope.period.end,
        "cases_url": scope.cases_url,
        "language": language,
        "format": payload_format(),
        "payload": dumps(figures),
        "computed_at": computed_at,
        "compute_ms": took_ms,
        "read_at": computed_at,
        "refreshing_until": None,
    }
    _best_effort(
        lambda: MaterialisedFigures.objects.update_or_create(key=key, defaults=values)
    )


def _best_effort(write: Callable[[], Any]) -> None:
    """A page's write to its figures may fail (another request stored the
    same scope at the same moment, a locked SQLite file): the reader still
    gets the figures, and the request's own transaction stays usable."""
    try:
        with transaction.atomic():
            write()
    except DatabaseError as error:
        logger.warning("materialised figures not stored: %s", error)


def _scope(row: MaterialisedFigures) -> Scope:
    return Scope(
        tuple(row.site_ids),
        Period(row.period_start, row.period_end),
        row.cases_url,
    )


def _claim(row: MaterialisedFigures, now: datetime.datetime) -> bool:
    """Whether this worker may recompute the row (one worker at a time)."""
    free = Q(refreshing_until__isnull=True) | Q(refreshing_until__lt=now)
    return bool(
        MaterialisedFigures.objects.filter(free, pk=row.pk).update(
            refreshing_until=now + _LEASE
        )
    )


def figure_row_refresh(row: MaterialisedFigures) -> bool:
    """Recompute one row; False when another worker is already at it."""
    now = timezone.now()
    if not _claim(row, now):
        return False
    build = BUILDERS[row.kind]
    with translation.override(row.language):
        figures, took_ms = _compute(build, _scope(row))
    MaterialisedFigures.objects.filter(pk=row.pk).update(
        payload=dumps(figures),
        computed_at=now,
        compute_ms=took_ms,
        refreshing_until=None,
    )
    return True


def figures_refresh_due(*, budget_seconds: float = 50.0) -> int:
    """Recompute every row older than ``KV_OVERVIEW_REFRESH_SECONDS``, the
    oldest first, for at most ``budget_seconds`` (the next run goes on);
    delete rows nobody read for ``KV_OVERVIEW_KEEP_DAYS`` days and rows of an
    older format. Returns how many rows were recomputed."""
    now = timezone.now()
    MaterialisedFigures.objects.filter(
        Q(read_at__lt=now - datetime.timedelta(days=settings.KV_OVERVIEW_KEEP_DAYS))
        | ~Q(format=payload_format())
    ).delete()
    due = MaterialisedFigures.objects.filter(
        Q(refreshing_until__isnull=True) | Q(refreshing_until__lt=now),
        computed_at__lt=now
        - datetime.timedelta(seconds=settings.KV_OVERVIEW_REFRESH_SECONDS),
        kind__in=list(BUILDERS),
    ).order_by("computed_at")
    started = time.perf_counter()
    refreshed = 0
    for row in due.defer("payload").iterator():
        if time.perf_counter() - started > budget_seconds:
            break
        refreshed += figure_row_refresh(row)
    return refreshed

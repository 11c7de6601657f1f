"""Reads for the evaluation pages: catalogue tree, schedule lists, completeness."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from core.models import Site
from core.scoping import RESEARCH_ROLES
from core.selectors import person_search
from evaluation.catalogue import current_catalogue
from evaluation.models import (
    MOMENT_ORDER,
    WITHOUT_DATA,
    Answer,
    CatalogueVersion,
    Item,
    KvAnswer,
    KvMeasurement,
    Measurement,
    MeasurementStatus,
    Moment,
    RecordedAt,
    Timing,
    Topic,
)
from evaluation.registration import respondent_group_name, respondent_groups
from trajectories.selectors import TimelineEntry


@dataclass
class TopicNode:
    topic: Topic
    items: list[tuple[Item, list[Item]]] = field(default_factory=list)


def catalogue_tree(catalogue: CatalogueVersion) -> list[TopicNode]:
    """Topics with their items and sub-items in report order (two queries)."""
    nodes = {t.pk: TopicNode(t) for t in Topic.objects.filter(catalogue=catalogue)}
    children: dict[int, list[Item]] = defaultdict(list)
    top: list[Item] = []
    items = list(Item.objects.filter(catalogue=catalogue).order_by("order"))
    by_var = {item.var: item for item in items}
    for item in items:
        topic = nodes[item.topic_id].topic
        # When the item is asked: its named moments, else its category's rule.
        item.asked = () if item.is_kv_level else item.asked_at(topic.category)
        if item.condition:
            # The question and answer that call for it, as a reader knows them.
            asked_by = by_var.get(item.condition_var)
            item.condition_question = asked_by.text if asked_by else item.condition_var
            item.condition_answer = item.condition_answer_text(asked_by)
        (children[item.parent_id] if item.parent_id else top).append(item)
    for item in top:
        nodes[item.topic_id].items.append((item, children.get(item.pk, [])))
    return list(nodes.values())


def measurement_queryset() -> QuerySet[Measurement]:
    # person is selected for the pseudonym only; templates never print names
    # on pages researchers can open.
    return Measurement.objects.select_related("stay__person", "stay__site", "catalogue")


TIMING_LISTS = (
    Timing.DUE,
    Timing.OVERDUE,
    Timing.INCOMPLETE,
    Timing.MISSED,
    Timing.UPCOMING,
    Timing.WAITING,
)


class AskedItems:
    """Person-level items per catalogue, by the moment they are asked at.

    One query for any number of catalogues; ``for_moment`` is then free.
    """

    def __init__(self, catalogue_ids: set[int]) -> None:
        self._items: dict[int, list[Item]] = defaultdict(list)
        self._asked: dict[tuple[int, str], list[Item]] = {}
        items = Item.objects.filter(catalogue_id__in=catalogue_ids).select_related(
            "topic"
        )
        for item in items:
            if not item.is_group and not item.is_kv_level:
                self._items[item.catalogue_id].append(item)

    def for_moment(self, catalogue_id: int, moment: str) -> list[Item]:
        key = (catalogue_id, moment)
        if key not in self._asked:
            self._asked[key] = [
                item
                for item in self._items[catalogue_id]
                if moment in item.asked_at(item.topic.category)
            ]
        return self._asked[key]


def schedule_for_site(
    *, site: Site, today: datetime.date | None = None
) -> dict[str, list[Measurement]]:
    """Open measurements of a site split by timing: due, overdue, missed, ...

    Each measurement carries ``answered`` (items with a value) and
    ``expected`` (items asked at its moment), as in the completeness grid.
    Two queries, whatever the number of stays.
    """
    today = today or timezone.localdate()
    lists: dict[str, list[Measurement]] = {name: [] for name in TIMING_LISTS}
    open_measurements = list(
        measurement_queryset()
        .filter(stay__site=site)
        .exclude(status__in=[MeasurementStatus.COMPLETE, *WITHOUT_DATA])
        .annotate(answered=Count("answers", filter=Q(answers__value__isnull=False)))
        .order_by("due_on", "pk")
    )
    asked = AskedItems({m.catalogue_id for m in open_measurements})
    for measurement in open_measurements:
        measurement.expected = len(
            asked.for_moment(measurement.catalogue_id, measurement.moment)
        )
        timing = measurement.timing_on(today)
        if timing in lists:
            lists[timing].append(measurement)
    return lists


def measurements_for_person(*, person: Any) -> list[Measurement]:
    """The person's measurements per stay in schedule order: nulmeting,
    tussenmetingen by number, eindmeting, namentingen by months (one query)."""
    measurements = Measurement.objects.filter(stay__person=person).select_related(
        "stay"
    )
    return sorted(
        measurements,
        key=lambda m: (
            m.stay.placed_on,
            m.stay_id,
            MOMENT_ORDER.get(m.moment, len(MOMENT_ORDER)),
            m.sequence,
            m.due_on or datetime.date.max,
            m.pk,
        ),
    )


def earlier_kv_answers(kv_measurement: KvMeasurement) -> list[KvAnswer]:
    """Answers of a KV-level measurement to items now recorded per person.

    They were given while the catalogue asked those items per KV; they are
    kept (and exported) as they were, shown read only.
    """
    answers = list(
        KvAnswer.objects.filter(kv_measurement=kv_measurement)
        .exclude(item__recorded_at=RecordedAt.KV)
        .select_related("item")
        .order_by("item__order")
    )
    for answer in answers:
        answer.shown = answer.item.display(answer.value)
    return answers


@dataclass
class GroupTab:
    """A respondent group on a KV-level measurement: its answers so far."""

    code: str
    name: str
    answered: int


def kv_answer_groups(kv_measurement: KvMeasurement) -> list[GroupTab]:
    """Every respondent group of the reference data with the number of its
    answers, and "not specified" first while it holds answers (from before
    the groups). One query."""
    counts = dict(
        KvAnswer.objects.filter(kv_measurement=kv_measurement)
        .order_by()
        .values_list("respondent_group")
        .annotate(count=Count("pk"))
        .values_list("respondent_group", "count")
    )
    tabs = [
        GroupTab(code, group.name, counts.get(code, 0))
        for code, group in respondent_groups().items()
    ]
    if counts.get(""):
        tabs.insert(0, GroupTab("", respondent_group_name(""), counts[""]))
    return tabs


def kv_measurements_for_site(*, site: Site) -> QuerySet[KvMeasurement]:
    return KvMeasurement.objects.filter(site=site).annotate(
        answered=Count("answers", filter=Q(answers__value__isnull=False))
    )


def _column_sort(key: str) -> tuple[int, int]:
    moment, sequence = key.rsplit("-", 1)
    return MOMENT_ORDER.get(moment, 9), int(sequence)


def completeness_for_site(
    *,
    site: Site,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    today: datetime.date | None = None,
) -> dict[str, Any]:
    """Completeness of the measurements of one site; three queries in all.

    ``start``/``end`` limit the measurements to those due in that period.
    Returns a dict:

    - ``columns``: list of ``{"key", "label"}`` in schedule order
      (``"nulmeting-0"``, ``"tussenmeting-1"``, ..., ``"nameting-6"``);
    - ``rows``: one per stay, ``{"stay_id", "pseudonym", "placed_on",
      "ended_on", "cells": {column key: {"measurement_id", "status", "timing",
      "due_on", "answered", "expected"}}}``; pseudonyms only, never names;
    - ``per_moment``: ``{moment: {"expected", "answered", "rate"}}`` counted
      over items of measurements whose window has opened (not cancelled);
    - ``per_item``: list of ``{"var", "text", "moment", "expected",
      "answered", "rate"}``; ``rate`` is a float 0..1, or None when nothing
      was expected yet;
    - ``totals``: ``{"measurements", "complete", "expected", "answered",
      "rate"}``.

    A value counts as answered when it is filled in; a gap with a
    missing-data reason counts as expected but not answered.
    """
    today = today or timezone.localdate()
    measurements = list(
        measurement_queryset()
        .filter(stay__site=site)
        .filter(**({"due_on__gte": start} if start else {}))
        .filter(**({"due_on__lte": end} if end else {}))
        .order_by("stay__placed_on", "stay_id", "due_on")
    )
    asked_items = AskedItems({m.catalogue_id for m in measurements})
    answered_pairs = set(
        Answer.objects.filter(measurement__in=[m.pk for m in measurements])
        .exclude(value__isnull=True)
        .values_list("measurement_id", "item_id")
    )
    answered_counts: dict[int, int] = defaultdict(int)
    for measurement_id, _item_id in answered_pairs:
        answered_counts[measurement_id] += 1

    rows: dict[int, dict[str, Any]] = {}
    columns: dict[str, str] = {}
    per_moment: dict[str, dict[str, Any]] = {}
    per_item: dict[tuple[str, str], dict[str, Any]] = {}
    totals = {"measurements": 0, "complete": 0, "expected": 0, "answered": 0}
    for measurement in measurements:
        asked = asked_items.for_moment(measurement.catalogue_id, measurement.moment)
        timing = measurement.timing_on(today)
        counts = timing not in ("cancelled", "not_taken", "waiting", "upcoming")
        columns[measurement.column_key] = measurement.label
        row = rows.setdefault(
            measurement.stay_id,
            {
                "stay_id": measurement.stay_id,
                "pseudonym": measurement.stay.person.pseudonym,
                "placed_on": measurement.stay.placed_on,
                "ended_on": measurement.stay.ended_on,
                "cells": {},
            },
        )
        row["cells"][measurement.column_key] = {
            "measurement_id": measurement.pk,
            "status": measurement.status,
            "timing": timing,
            "due_on": measurement.due_on,
            "answered": answered_counts[measurement.pk],
            "expected": len(asked),
        }
        if not counts:
            continue
        totals["measurements"] += 1
        totals["complete"] += measurement.status == MeasurementStatus.COMPLETE
        moment_stats = per_moment.setdefault(
            measurement.moment, {"expected": 0, "answered": 0}
        )
        for item in asked:
            hit = (measurement.pk, item.pk) in answered_pairs
            moment_stats["expected"] += 1
            moment_stats["answered"] += hit
            totals["expected"] += 1
            totals["answered"] += hit
            stats = per_item.setdefault(
                (item.var, measurement.moment),
                {
                    "var": item.var,
                    "text": item.text,
                    "moment": measurement.moment,
                    "expected": 0,
                    "answered": 0,
                },
            )
            stats["expected"] += 1
            stats["answered"] += hit
    for stats in [*per_moment.values(), *per_item.values(), totals]:
        stats["rate"] = (
            stats["answered"] / stats["expected"] if stats["expected"] else None
        )
    return {
        "columns": [
            {"key": key, "label": columns[key]}
            for key in sorted(columns, key=_column_sort)
        ],
        "rows": list(rows.values()),
        "per_moment": dict(
            sorted(per_moment.items(), key=lambda pair: MOMENT_ORDER.get(pair[0], 9))
        ),
        "per_item": sorted(
            per_item.values(),
            key=lambda s: (MOMENT_ORDER.get(s["moment"], 9), s["var"]),
        ),
        "totals": totals,
    }


def site_catalogue(site: Site) -> CatalogueVersion | None:
    return current_catalogue(site)


def stays_needing_schedule(
    *, site: Site | None = None, today: datetime.date | None = None
) -> QuerySet[Any]:
    """Stays whose schedule is missing, lags behind their outflow date, or
    (still running) has no tussenmeting ahead any more.

    One query; ``sync_measurement_schedules`` calls ``schedule_sync_for_stay``
    only for these, so a daily run does not grow with the number of settled
    stays.
    """
    from trajectories.models import Stay

    today = today or timezone.localdate()
    stays = Stay.objects.all() if site is None else Stay.objects.filter(site=site)
    eind = Measurement.objects.filter(stay=OuterRef("pk"), moment=Moment.EINDMETING)
    ahead = Measurement.objects.filter(
        stay=OuterRef("pk"), moment=Moment.TUSSENMETING, due_on__gte=today
    )
    return (
        stays.annotate(
            has_schedule=Exists(Measurement.objects.filter(stay=OuterRef("pk"))),
            eind_due=Subquery(eind.values("due_on")[:1]),
            tussen_ahead=Exists(ahead),
        )
        .filter(
            Q(has_schedule=False)
            | Q(ended_on__isnull=False, eind_due__isnull=True)
            | (Q(ended_on__isnull=False) & ~Q(eind_due=F("ended_on")))
            | Q(ended_on__isnull=True, eind_due__isnull=False)
            | Q(ended_on__isnull=True, tussen_ahead=False)
        )
        .select_related("site")
    )


def schedule_counts(
    *, site_ids: set[int], today: datetime.date | None = None
) -> list[dict[str, Any]]:
    """Per site: how many measurements are due, overdue, not completed with
    their window closed, and missed (two queries); the same split as the
    schedule lists."""
    today = today or timezone.localdate()
    sites = {site.pk: site for site in Site.objects.filter(pk__in=site_ids)}
    keys = (Timing.DUE, Timing.OVERDUE, Timing.INCOMPLETE, Timing.MISSED)
    counts: dict[int, dict[str, int]] = {
        pk: {str(key): 0 for key in keys} for pk in sites
    }
    open_measurements = (
        Measurement.objects.filter(stay__site_id__in=site_ids)
        .exclude(status__in=[MeasurementStatus.COMPLETE, *WITHOUT_DATA])
        .exclude(window_start__isnull=True)
        .filter(window_start__lte=today)
        .values_list("stay__site_id", "status", "due_on", "window_start", "window_end")
    )
    for site_id, status, due_on, window_start, window_end in open_measurements:
        timing = Measurement(
            status=status,
            due_on=due_on,
            window_start=window_start,
            window_end=window_end,
        ).timing_on(today)
        if timing in keys:
            counts[site_id][str(timing)] += 1
    return [
        {"site": sites[pk], **counts[pk]}
        for pk in sorted(sites, key=lambda pk: sites[pk].name)
    ]


def measurement_search(*, user: Any, text: str) -> QuerySet[Measurement]:
    """The researcher's measurements of the pseudonyms matching ``text``, in
    one query; names and DJI numbers are never searched."""
    measurements = Measurement.objects.visible_to(user, RESEARCH_ROLES)
    return (
        person_search(measurements, text, researcher=True, path="stay__person__")
        .select_related("stay__person", "stay__site")
        .order_by("stay__person__pseudonym", "due_on", "pk")
    )


def timeline_entries(person: Any) -> list[TimelineEntry]:
    """A person's measurements on their timeline (``timeline_entries`` of the
    registry): completed ones on their day, the others on their due day.
    One query."""
    entries = []
    for measurement in Measurement.objects.filter(stay__person=person):
        when = measurement.completed_at or measurement.due_on
        if when is None:
            continue
        if isinstance(when, datetime.datetime):
            when = timezone.localdate(when)
        entries.append(
            TimelineEntry(
                when,
                "measurement",
                str(measurement),
                str(measurement.get_status_display()),
            )
        )
    return entries

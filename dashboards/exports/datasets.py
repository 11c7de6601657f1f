"""The sheets of a research export, as columns plus a lazy stream of rows.

Rows are read from the database with ``iterator()`` in sorted order and
joined while streaming, so memory stays flat however many people are
exported. Only pseudonyms, birth years and (optionally shifted) dates leave
the system: no query here selects a name, birth date or DJI number.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from core.models import Site
from dashboards import b7
from dashboards.exports.codebook import (
    FREE_TEXT_TYPES,
    Column,
    encode,
    value_labels_for,
)
from dashboards.periods import Period
from dashboards.scope import Scope
from dashboards.selectors.flow import site_summaries
from evaluation.models import (
    TAKEN,
    Answer,
    Item,
    KvAnswer,
    KvMeasurement,
    Measurement,
)
from intake.models import CaseEndReason, IntakeCase, StageEvent
from trajectories.models import Stay, StayPhase

CHUNK = 2000
MAX_SHIFT_DAYS = 180


@dataclass(frozen=True)
class ExportFilters:
    site_ids: tuple[int, ...]
    period: Period
    moments: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    date_shift: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "site_ids": list(self.site_ids),
            "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(),
            "moments": list(self.moments),
            "topics": list(self.topics),
            "date_shift": self.date_shift,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExportFilters:
        return cls(
            site_ids=tuple(data["site_ids"]),
            period=Period(
                datetime.date.fromisoformat(data["start"]),
                datetime.date.fromisoformat(data["end"]),
            ),
            moments=tuple(data.get("moments", ())),
            topics=tuple(data.get("topics", ())),
            date_shift=bool(data.get("date_shift")),
        )


@dataclass
class Sheet:
    name: str
    columns: list[Column]
    rows: Iterator[list[Any]] = field(default_factory=lambda: iter(()))


def date_shift_for(pseudonym: str, enabled: bool) -> datetime.timedelta:
    """The same shift for every date of one person, never zero.

    Derived from the pseudonym with a keyed hash, so it is stable between
    exports (analyses can be linked) but cannot be recomputed outside.
    """
    if not enabled:
        return datetime.timedelta(0)
    digest = hmac.new(
        settings.SECRET_KEY.encode(), pseudonym.encode(), hashlib.sha256
    ).digest()
    days = int.from_bytes(digest[:4], "big") % (2 * MAX_SHIFT_DAYS) - MAX_SHIFT_DAYS
    return datetime.timedelta(days=days + 1 if days >= 0 else days)


def record_code(kind: str, pk: int) -> str:
    """A stay's or intake case's number in an export: stable between exports
    (so sheets and exports can be linked) but, unlike the database id in the
    application's addresses, not traceable to a record without the key."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{kind}:{pk}".encode(), hashlib.sha256
    ).hexdigest()
    return f"{kind[0].upper()}{digest[:12]}"


def _shift(day: datetime.date | None, shift: datetime.timedelta) -> str | None:
    return (day + shift).isoformat() if day else None


def stays_for(filters: ExportFilters) -> QuerySet[Stay]:
    period = filters.period
    return (
        Stay.objects.filter(site_id__in=filters.site_ids, placed_on__lte=period.end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=period.start))
        .order_by()
    )


@dataclass
class ItemInfo:
    var: str
    answer_type: str
    choices: list[dict[str, str]]
    moments: tuple[str, ...]


def _items(
    filters: ExportFilters, *, kv_level: bool
) -> tuple[list[Column], dict[int, ItemInfo]]:
    """Exportable catalogue items: one column per variable name.

    Several catalogue versions may hold the same variable; their rows map to
    one column and the codebook names every version.
    """
    items = (
        Item.objects.filter(catalogue__site_id__in=filters.site_ids)
        .exclude(answer_type__in=FREE_TEXT_TYPES)
        .select_related("topic", "catalogue__site")
        .order_by(
            "catalogue__site__code", "topic__order", "order", "-catalogue__version"
        )
    )
    if filters.topics:
        items = items.filter(topic__code__in=filters.topics)
    columns: dict[str, Column] = {}
    info: dict[int, ItemInfo] = {}
    for item in items:
        if item.is_kv_level != kv_level:
            continue
        catalogue = item.catalogue
        version = f"{catalogue.site.code} {catalogue.table} v{catalogue.version}"
        moments = item.asked_at(item.topic.category)
        info[item.pk] = ItemInfo(item.var, item.answer_type, item.choices, moments)
        if item.var in columns:
            if version not in columns[item.var].catalogue_version:
                columns[item.var].catalogue_version += f", {version}"
            continue
        columns[item.var] = Column(
            name=item.var,
            label=item.text[:250],
            answer_type=item.answer_type,
            topic=item.topic.title,
            category=item.topic.category,
            moment=",".join(moments),
            value_labels=value_labels_for(item.answer_type, item.choices),
            catalogue_version=version,
            missing=True,
        )
    return list(columns.values()), info


STAY_CODE_LABEL = "Stay (code, the same in every sheet and export)"
CASE_CODE_LABEL = "Intake case (code, the same in every sheet and export)"

PERSON_COLUMNS = [
    Column("pseudonym", "Research pseudonym"),
    Column("site", "KV (site code)"),
    Column("birth_year", "Birth year", "year"),
    Column("gender", "Gender", "choice_text"),
]


def _measurements(filters: ExportFilters) -> QuerySet[Measurement]:
    """Measurements that were taken: cancelled, never-taken and merely
    planned ones hold no data and are no rows or columns of an export."""
    measurements = Measurement.objects.filter(
        stay__in=stays_for(filters), status__in=TAKEN
    )
    if filters.moments:
        measurements = measurements.filter(moment__in=filters.moments)
    return measurements


def _answers_by(
    measurements: QuerySet[Measurement], order: tuple[str, ...]
) -> Iterator[tuple]:
    return (
        Answer.objects.filter(measurement__in=measurements)
        .order_by(*order)
        .values_list("measurement_id", "item_id", "value", "missing_reason")
        .iterator(chunk_size=CHUNK)
    )


def person_long(filters: ExportFilters) -> Sheet:
    """One row per person per measurement moment (and stay)."""
    variables, items = _items(filters, kv_level=False)
    position = {column.name: index for index, column in enumerate(variables)}
    columns = [
        *PERSON_COLUMNS,
        Column("stay_code", STAY_CODE_LABEL),
        Column("moment", "Measurement moment"),
        Column("sequence", "Tussenmeting number or months after outflow", "integer"),
        Column("status", "Measurement status"),
        Column("due_on", "Due date (shifted when asked)", "date"),
        *variables,
    ]

    def rows() -> Iterator[list[Any]]:
        measurements = _measurements(filters)
        answers = _answers_by(measurements, ("measurement_id",))
        pending = next(answers, None)
        for (
            pk,
            stay_id,
            pseudonym,
            site,
            birth_year,
            gender,
            moment,
            sequence,
            status,
            due_on,
        ) in (
            measurements.order_by("pk")
            .values_list(
                "pk",
                "stay_id",
                "stay__person__pseudonym",
                "stay__site__code",
                "stay__person__date_of_birth__year",
                "stay__person__gender",
                "moment",
                "sequence",
                "status",
                "due_on",
            )
            .iterator(chunk_size=CHUNK)
        ):
            shift = date_shift_for(pseudonym, filters.date_shift)
            values: list[Any] = [None] * len(variables)
            while pending is not None and pending[0] <= pk:
                if pending[0] == pk and pending[1] in items:
                    info = items[pending[1]]
                    values[position[info.var]] = encode(
                        info.answer_type, info.choices, pending[2], pending[3], shift
                    )
                pending = next(answers, None)
            yield [
                pseudonym,
                site,
                birth_year,
                gender,
                record_code("stay", stay_id),
                moment,
                sequence,
                status,
                _shift(due_on, shift),
                *values,
            ]

    return Sheet("personen_lang", columns, rows())


def _suffix(moment: str, sequence: int) -> str:
    short = {
        "nulmeting": "nul",
        "tussenmeting": "tus",
        "eindmeting": "eind",
        "nameting": "na",
    }
    base = short.get(moment, moment)
    return f"{base}{sequence}" if sequence else base


def person_wide(filters: ExportFilters) -> Sheet:
    """One row per person and stay, a column per variable and moment."""
    variables, items = _items(filters, kv_level=False)
    measurements = _measurements(filters)
    combos = sorted(
        set(measurements.values_list("moment", "sequence").distinct().order_by()),
        key=lambda pair: (
            ["nulmeting", "tussenmeting", "eindmeting", "nameting"].index(pair[0])
            if pair[0] in ("nulmeting", "tussenmeting", "eindmeting", "nameting")
            else 9,
            pair[1],
        ),
    )
    wide: list[Column] = []
    position: dict[tuple[str, str, int], int] = {}
    for column in variables:
        asked = column.moment.split(",") if column.moment else []
        for moment, sequence in combos:
            if asked and moment not in asked:
                continue
            position[(column.name, moment, sequence)] = len(wide)
            wide.append(
                Column(
                    name=f"{column.name}_{_suffix(moment, sequence)}"[:64],
                    label=column.label,
                    answer_type=column.answer_type,
                    topic=column.topic,
                    category=column.category,
                    moment=f"{moment} {sequence}" if sequence else moment,
                    value_labels=column.value_labels,
                    catalogue_version=column.catalogue_version,
                    missing=True,
                )
            )
    columns = [
        *PERSON_COLUMNS,
        Column("stay_code", STAY_CODE_LABEL),
        *wide,
    ]

    def rows() -> Iterator[list[Any]]:
        answers = (
            Answer.objects.filter(measurement__in=measurements)
            .order_by("measurement__stay_id")
            .values_list(
                "measurement__stay_id",
                "measurement__moment",
                "measurement__sequence",
                "item_id",
                "value",
                "missing_reason",
            )
            .iterator(chunk_size=CHUNK)
        )
        pending = next(answers, None)
        for stay_id, pseudonym, site, birth_year, gender in (
            stays_for(filters)
            .order_by("pk")
            .values_list(
                "pk",
                "person__pseudonym",
                "site__code",
                "person__date_of_birth__year",
                "person__gender",
            )
            .iterator(chunk_size=CHUNK)
        ):
            shift = date_shift_for(pseudonym, filters.date_shift)
            values: list[Any] = [None] * len(wide)
            while pending is not None and pending[0] <= stay_id:
                if pending[0] == stay_id and pending[3] in items:
                    info = items[pending[3]]
                    index = position.get((info.var, pending[1], pending[2]))
                    if index is not None:
                        values[index] = encode(
                            info.answer_type,
                            info.choices,
                            pending[4],
                            pending[5],
                            shift,
                        )
                pending = next(answers, None)
            yield [
                pseudonym,
                site,
                birth_year,
                gender,
                record_code("stay", stay_id),
                *values,
            ]

    return Sheet("personen_breed", columns, rows())


def kv_registration(filters: ExportFilters) -> Sheet:
    """Per site: inflow, outflow and occupancy from the registration."""
    columns = [
        Column("site", "KV (site code)"),
        Column("site_name", "KV"),
        Column("security_level", "Security level"),
        Column("period_start", "Period from", "date"),
        Column("period_end", "Period until", "date"),
        Column("inflow", "Placements in the period", "integer"),
        Column("outflow", "Outflow in the period", "integer"),
        Column("present_at_end", "In the KV on the last day", "integer"),
        Column("capacity_at_end", "Realised places on the last day", "integer"),
    ]
    scope = Scope(filters.site_ids, filters.period)

    def rows() -> Iterator[list[Any]]:
        summaries = site_summaries(scope)
        for site in Site.objects.filter(pk__in=filters.site_ids).order_by("code"):
            summary = summaries[site.pk]
            yield [
                site.code,
                site.name,
                site.security_level,
                filters.period.start.isoformat(),
                filters.period.end.isoformat(),
                summary.inflow,
                summary.outflow,
                summary.present_at_end,
                summary.capacity_at_end,
            ]

    return Sheet("kv_registratie", columns, rows())


def kv_measurements(filters: ExportFilters) -> Sheet:
    """KV-level measurements (interview topics), one row per site and period."""
    variables, items = _items(filters, kv_level=True)
    position = {column.name: index for index, column in enumerate(variables)}
    columns = [
        Column("site", "KV (site code)"),
        Column("period_start", "Period from", "date"),
        Column("period_end", "Period until", "date"),
        Column("status", "Measurement status"),
        *variables,
    ]
    period = filters.period
    measured = KvMeasurement.objects.filter(
        site_id__in=filters.site_ids,
        period_start__lte=period.end,
        period_end__gte=period.start,
    )

    def rows() -> Iterator[list[Any]]:
        answers = (
            KvAnswer.objects.filter(kv_measurement__in=measured)
            .order_by("kv_measurement_id")
            .values_list("kv_measurement_id", "item_id", "value", "missing_reason")
            .iterator(chunk_size=CHUNK)
        )
        pending = next(answers, None)
        for pk, site, start, end, status in (
            measured.order_by("pk")
            .values_list("pk", "site__code", "period_start", "period_end", "status")
            .iterator(chunk_size=CHUNK)
        ):
            values: list[Any] = [None] * len(variables)
            while pending is not None and pending[0] <= pk:
                if pending[0] == pk and pending[1] in items:
                    info = items[pending[1]]
                    values[position[info.var]] = encode(
                        info.answer_type,
                        info.choices,
                        pending[2],
                        pending[3],
                        datetime.timedelta(0),
                    )
                pending = next(answers, None)
            yield [site, start.isoformat(), end.isoformat(), status, *values]

    return Sheet("kv_metingen", columns, rows())


def intake_cases(filters: ExportFilters) -> Sheet:
    columns = [
        *PERSON_COLUMNS,
        Column("case_code", CASE_CODE_LABEL),
        Column("opened_on", "Opened on (shifted when asked)", "date"),
        Column("outcome", "Outcome"),
        Column("closed_on", "Closed on (shifted when asked)", "date"),
        Column("entry_route", "Entry route"),
        Column("heard_via", "Heard of the KV via"),
        Column("end_reasons", "End reasons (codes)"),
    ]
    period = filters.period
    cases = IntakeCase.objects.filter(
        site_id__in=filters.site_ids, opened_on__range=(period.start, period.end)
    )

    def rows() -> Iterator[list[Any]]:
        reasons = (
            CaseEndReason.objects.filter(case__in=cases)
            .order_by("case_id", "pk")
            .values_list("case_id", "code")
            .iterator(chunk_size=CHUNK)
        )
        pending = next(reasons, None)
        for (
            pk,
            pseudonym,
            site,
            birth_year,
            gender,
            opened,
            outcome,
            closed,
            route,
            heard,
        ) in (
            cases.order_by("pk")
            .values_list(
                "pk",
                "person__pseudonym",
                "site__code",
                "person__date_of_birth__year",
                "person__gender",
                "opened_on",
                "outcome",
                "closed_on",
                "entry_route__name",
                "heard_via",
            )
            .iterator(chunk_size=CHUNK)
        ):
            codes = []
            while pending is not None and pending[0] <= pk:
                if pending[0] == pk:
                    codes.append(pending[1])
                pending = next(reasons, None)
            shift = date_shift_for(pseudonym, filters.date_shift)
            yield [
                pseudonym,
                site,
                birth_year,
                gender,
                record_code("case", pk),
                _shift(opened, shift),
                outcome,
                _shift(closed, shift),
                route or "",
                heard,
                ";".join(codes),
            ]

    return Sheet("intake", columns, rows())


def intake_stages(filters: ExportFilters) -> Sheet:
    columns = [
        Column("pseudonym", "Research pseudonym"),
        Column("site", "KV (site code)"),
        Column("case_code", CASE_CODE_LABEL),
        Column("stage", "Stage (code)"),
        Column("stage_name", "Stage"),
        Column("stage_kind", "Kind of stage"),
        Column("occurred_on", "Date (shifted when asked)", "date"),
        Column("outcome", "Stage outcome"),
    ]
    period = filters.period

    def rows() -> Iterator[list[Any]]:
        for pseudonym, site, case, code, name, kind, day, outcome in (
            StageEvent.objects.filter(
                case__site_id__in=filters.site_ids,
                case__opened_on__range=(period.start, period.end),
            )
            .order_by("case_id", "occurred_on", "pk")
            .values_list(
                "case__person__pseudonym",
                "case__site__code",
                "case_id",
                "stage__code",
                "stage__name",
                "stage__kind",
                "occurred_on",
                "outcome",
            )
            .iterator(chunk_size=CHUNK)
        ):
            shift = date_shift_for(pseudonym, filters.date_shift)
            yield [
                pseudonym,
                site,
                record_code("case", case),
                code,
                name,
                kind,
                _shift(day, shift),
                outcome,
            ]

    return Sheet("intake_stappen", columns, rows())


def stays(filters: ExportFilters) -> Sheet:
    columns = [
        *PERSON_COLUMNS,
        Column("stay_code", STAY_CODE_LABEL),
        Column("place_type", "Place type"),
        Column(
            "participant",
            "Participant (1) or regular detainee on a KV place (0)",
            "integer",
        ),
        Column("legal_title", "Legal title"),
        Column("placed_on", "Placement date (shifted when asked)", "date"),
        Column("expected_end", "Expected end (shifted when asked)", "date"),
        Column("ended_on", "Outflow date (shifted when asked)", "date"),
        Column("outflow_type", "Outflow type"),
        Column("length_days", "Days in the KV (to outflow or period end)", "integer"),
    ]
    end = filters.period.end

    def rows() -> Iterator[list[Any]]:
        for (
            pk,
            pseudonym,
            site,
            birth_year,
            gender,
            place_type,
            participant,
            legal_title,
            placed,
            expected,
            ended,
            outflow,
        ) in (
            stays_for(filters)
            .order_by("pk")
            .values_list(
                "pk",
                "person__pseudonym",
                "site__code",
                "person__date_of_birth__year",
                "person__gender",
                "place_type__code",
                "participant",
                "legal_title",
                "placed_on",
                "expected_end",
                "ended_on",
                "outflow_type",
            )
            .iterator(chunk_size=CHUNK)
        ):
            shift = date_shift_for(pseudonym, filters.date_shift)
            last = ended if ended and ended <= end else end
            yield [
                pseudonym,
                site,
                birth_year,
                gender,
                record_code("stay", pk),
                place_type,
                int(participant),
                legal_title,
                _shift(placed, shift),
                _shift(expected, shift),
                _shift(ended, shift),
                outflow,
                (last - placed).days,
            ]

    return Sheet("verblijven", columns, rows())


def stay_phases(filters: ExportFilters) -> Sheet:
    columns = [
        Column("pseudonym", "Research pseudonym"),
        Column("site", "KV (site code)"),
        Column("stay_code", STAY_CODE_LABEL),
        Column("phase", "Programme phase (code)"),
        Column("place_type", "Place type"),
        Column("started_on", "From (shifted when asked)", "date"),
        Column("ended_on", "Until (shifted when asked)", "date"),
        Column(
            "length_days", "Days in the phase (to its end or period end)", "integer"
        ),
    ]
    end = filters.period.end

    def rows() -> Iterator[list[Any]]:
        for pseudonym, site, stay, phase, place_type, started, ended in (
            StayPhase.objects.filter(stay__in=stays_for(filters))
            .order_by("stay_id", "started_on", "pk")
            .values_list(
                "stay__person__pseudonym",
                "stay__site__code",
                "stay_id",
                "phase__code",
                "place_type__code",
                "started_on",
                "ended_on",
            )
            .iterator(chunk_size=CHUNK)
        ):
            shift = date_shift_for(pseudonym, filters.date_shift)
            last = ended if ended and ended <= end else end
            yield [
                pseudonym,
                site,
                record_code("stay", stay),
                phase or "",
                place_type,
                _shift(started, shift),
                _shift(ended, shift),
                max(0, (last - started).days),
            ]

    return Sheet("verblijf_fasen", columns, rows())


def b7_sheet(filters: ExportFilters) -> Sheet:
    """Bijlage 7 per site, laid out as in the report (title, headers, rows)."""
    columns = [
        Column("site", "KV (site code)"),
        Column("table", "Table"),
        Column("row", "Row (code)"),
        Column("label", "Row"),
        Column("value_1", "First value column (Aantal / value / days)"),
        Column("value_2", "Second value column (N / in years)"),
    ]

    def rows() -> Iterator[list[Any]]:
        for site in Site.objects.filter(pk__in=filters.site_ids).order_by("code"):
            result = b7.b7_tables(
                Scope((site.pk,), filters.period),
                programme=site.alias or site.name,
                plan=site.individual_plan_name or "individuele plan",
            )
            for table in result.tables:
                yield [site.code, table.title, "", "", "", ""]
                for section in table.sections:
                    yield [site.code, table.code, "", *section.columns]
                    for row in section.rows:
                        yield [site.code, table.code, row.code, row.label, *row.values]

    return Sheet("bijlage7", columns, rows())


#: every data sheet, in the order of the workbook
SHEETS = [
    person_long,
    person_wide,
    kv_registration,
    kv_measurements,
    intake_cases,
    intake_stages,
    stays,
    stay_phases,
    b7_sheet,
]


def build_sheets(filters: ExportFilters) -> list[Sheet]:
    return [build(filters) for build in SHEETS]

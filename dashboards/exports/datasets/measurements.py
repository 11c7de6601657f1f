"""The person-level measurement sheets: long (one row per measurement)
and wide (one row per stay).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from dashboards.exports.codebook import (
    DATE,
    FREE_TEXT_TYPES,
    INTEGER,
    Column,
    code_of,
    coded,
    encode,
    missing_code,
)
from dashboards.exports.datasets.base import (
    CHUNK,
    GENDER,
    PERSON_COLUMNS,
    STAY_CODE,
    ExportFilters,
    Sheet,
    date_shift_for,
    record_code,
    shift,
    stays_for,
)
from dashboards.exports.datasets.items import (
    ItemInfo,
    _item_columns,
    _item_positions,
    _items,
)
from evaluation.models import (
    MOMENT_ORDER,
    TAKEN,
    Answer,
    AnswerType,
    Measurement,
    MeasurementStatus,
    Moment,
)


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


MOMENTS = code_of(Moment)
STATUSES = code_of(MeasurementStatus)


def _place(
    values: list[Any],
    position: dict[str, int],
    info: ItemInfo,
    value: Any,
    reason: str,
    by: datetime.timedelta,
    key: str,
) -> None:
    index = position.get(key)
    if index is None:
        return
    if info.answer_type in FREE_TEXT_TYPES:
        values[index] = missing_code(reason)  # never the text itself
        return
    values[index] = encode(
        info.answer_type, info.choices, value, reason, by, info.decimals
    )
    if info.answer_type == AnswerType.DATE:
        values[index + 1] = missing_code(reason)


def person_long(filters: ExportFilters) -> Sheet:
    """One row per person per measurement moment (and stay)."""
    variables, items = _items(filters, kv_level=False)
    infos = {info.var: info for info in items.values()}
    item_columns, position = _item_positions(variables, infos)
    columns = [
        *PERSON_COLUMNS,
        STAY_CODE,
        coded("moment", "Meetmoment", Moment),
        Column(
            "sequence",
            "Nummer van de tussenmeting, of maanden na uitstroom (nameting)",
            INTEGER,
        ),
        coded("status", "Status van de meting", MeasurementStatus),
        Column("due_on", "Datum gepland (verschoven als gevraagd)", DATE),
        *item_columns,
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
            by = date_shift_for(pseudonym, filters.date_shift)
            values: list[Any] = [None] * len(item_columns)
            while pending is not None and pending[0] <= pk:
                if pending[0] == pk and pending[1] in items:
                    info = items[pending[1]]
                    _place(values, position, info, pending[2], pending[3], by, info.var)
                pending = next(answers, None)
            yield [
                pseudonym,
                site,
                birth_year,
                GENDER.get(gender),
                record_code("stay", stay_id),
                MOMENTS.get(moment),
                sequence,
                STATUSES.get(status),
                shift(due_on, by),
                *values,
            ]

    return Sheet(
        "personen_lang",
        columns,
        rows(),
        "Eén rij per afgenomen meting (persoon, verblijf, moment).",
    )


SUFFIXES = {
    Moment.NULMETING: "nul",
    Moment.TUSSENMETING: "tus",
    Moment.EINDMETING: "eind",
    Moment.NAMETING: "na",
}


def _suffix(moment: str, sequence: int) -> str:
    base = SUFFIXES.get(moment, moment)
    return f"{base}{sequence}" if sequence else base


def person_wide(filters: ExportFilters) -> Sheet:
    """One row per person and stay, a column per variable and moment taken.

    Only moments some stay in the export really has (taken) become columns,
    so a backdated stay does not add dozens of empty tussenmeting columns.
    """
    variables, items = _items(filters, kv_level=False)
    infos = {info.var: info for info in items.values()}
    measurements = _measurements(filters)
    combos = sorted(
        set(measurements.values_list("moment", "sequence").distinct().order_by()),
        key=lambda pair: (MOMENT_ORDER.get(pair[0], 9), pair[1]),
    )
    wide: list[Column] = []
    position: dict[str, int] = {}
    for column in variables:
        asked = column.moment.split(",") if column.moment else []
        for moment, sequence in combos:
            if asked and moment not in asked:
                continue
            name = f"{column.name}_{_suffix(moment, sequence)}"[:64]
            position[f"{column.name}|{moment}|{sequence}"] = len(wide)
            label = f"{column.label} ({_suffix(moment, sequence)})"
            for part in _item_columns(
                Column(
                    name=name,
                    label=label[:250],
                    kind=column.kind,
                    unit=column.unit,
                    value_labels=column.value_labels,
                    missing=column.missing,
                    topic=column.topic,
                    category=column.category,
                    moment=f"{moment} {sequence}" if sequence else moment,
                    catalogue_version=column.catalogue_version,
                    source=column.source,
                    decimals=column.decimals,
                ),
                infos[column.name],
            ):
                wide.append(part)
    columns = [*PERSON_COLUMNS, STAY_CODE, *wide]

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
            by = date_shift_for(pseudonym, filters.date_shift)
            values: list[Any] = [None] * len(wide)
            while pending is not None and pending[0] <= stay_id:
                if pending[0] == stay_id and pending[3] in items:
                    info = items[pending[3]]
                    key = f"{info.var}|{pending[1]}|{pending[2]}"
                    _place(values, position, info, pending[4], pending[5], by, key)
                pending = next(answers, None)
            yield [
                pseudonym,
                site,
                birth_year,
                GENDER.get(gender),
                record_code("stay", stay_id),
                *values,
            ]

    return Sheet(
        "personen_breed",
        columns,
        rows(),
        "Eén rij per verblijf; per item een kolom per afgenomen meetmoment.",
    )

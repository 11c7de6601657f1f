"""The intake sheets: cases and the stages they went through."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dashboards.exports.codebook import (
    DATE,
    INTEGER,
    Column,
    code_of,
    coded,
    dutch_labels,
    flag,
)
from dashboards.exports.datasets.base import (
    CASE_CODE,
    CHUNK,
    GENDER,
    PERSON_COLUMNS,
    PSEUDONYM,
    SITE,
    ExportFilters,
    Sheet,
    date_shift_for,
    record_code,
    shift,
)
from intake.models import (
    AwarenessChannel,
    CaseEndReason,
    EndReasonCode,
    IntakeCase,
    IntakeOutcome,
    StageEvent,
    StageKind,
    StageOutcome,
)

OUTCOMES = code_of(IntakeOutcome)
CHANNELS = code_of(AwarenessChannel)
END_REASONS = [value for value in EndReasonCode.values if value]


def intake_cases(filters: ExportFilters) -> Sheet:
    end_labels = dutch_labels(EndReasonCode)
    columns = [
        *PERSON_COLUMNS,
        CASE_CODE,
        Column("opened_on", "Intake geopend op (verschoven als gevraagd)", DATE),
        coded("outcome", "Uitkomst van de intake", IntakeOutcome),
        Column("closed_on", "Intake gesloten op (verschoven als gevraagd)", DATE),
        Column("entry_route", "Instroomroute (code)"),
        Column("entry_route_name", "Instroomroute"),
        coded("heard_via", "Van de KV gehoord via", AwarenessChannel),
        *[
            flag(f"end_{code}", f"Reden einde intake: {end_labels[index]}")
            for index, code in enumerate(END_REASONS, start=1)
        ],
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
            route_name,
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
                "entry_route__code",
                "entry_route__name",
                "heard_via",
            )
            .iterator(chunk_size=CHUNK)
        ):
            codes = set()
            while pending is not None and pending[0] <= pk:
                if pending[0] == pk:
                    codes.add(pending[1])
                pending = next(reasons, None)
            by = date_shift_for(pseudonym, filters.date_shift)
            yield [
                pseudonym,
                site,
                birth_year,
                GENDER.get(gender),
                record_code("case", pk),
                shift(opened, by),
                OUTCOMES.get(outcome),
                shift(closed, by),
                route or "",
                route_name or "",
                CHANNELS.get(heard),
                *[int(code in codes) for code in END_REASONS],
            ]

    return Sheet("intake", columns, rows(), "Eén rij per intakezaak.")


STAGE_KINDS = code_of(StageKind)
STAGE_OUTCOMES = code_of(StageOutcome)


def intake_stages(filters: ExportFilters) -> Sheet:
    columns = [
        PSEUDONYM,
        SITE,
        CASE_CODE,
        Column("stage", "Stap (code)"),
        Column("stage_name", "Stap"),
        coded("stage_kind", "Soort stap", StageKind),
        Column(
            "stage_order",
            "Plaats van de stap in het intakeproces (een zaak die een latere stap "
            "bereikte, heeft deze ook bereikt)",
            INTEGER,
        ),
        Column("occurred_on", "Datum (verschoven als gevraagd)", DATE),
        coded("outcome", "Uitkomst van de stap", StageOutcome),
    ]
    period = filters.period

    def rows() -> Iterator[list[Any]]:
        for pseudonym, site, case, code, name, kind, order, day, outcome in (
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
                "stage__order",
                "occurred_on",
                "outcome",
            )
            .iterator(chunk_size=CHUNK)
        ):
            by = date_shift_for(pseudonym, filters.date_shift)
            yield [
                pseudonym,
                site,
                record_code("case", case),
                code,
                name,
                STAGE_KINDS.get(kind),
                order,
                shift(day, by),
                STAGE_OUTCOMES.get(outcome),
            ]

    return Sheet("intake_stappen", columns, rows(), "Eén rij per doorlopen intakestap.")

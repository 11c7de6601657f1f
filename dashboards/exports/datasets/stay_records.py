"""The stay sheets: stays, their phases, and the per-stay records
(incidents, job search, employment, plans, goals, activities, partner roles).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from dashboards.exports.codebook import (
    DATE,
    INTEGER,
    NUMBER,
    Column,
    code_of,
    coded,
    flag,
)
from dashboards.exports.datasets.base import (
    CHUNK,
    GENDER,
    GOAL_CODE,
    PERSON_COLUMNS,
    PSEUDONYM,
    SITE,
    STAY_CODE,
    STAY_KEYS,
    ExportFilters,
    Sheet,
    _per_stay,
    date_shift_for,
    record_code,
    shift,
    stays_for,
)
from partners.models import CaseRole, CaseRoleKind, OrganisationKind
from trajectories.models import (
    Activity,
    ActivityStatus,
    Consequence,
    Detection,
    Employment,
    Goal,
    GoalFramework,
    GoalStatus,
    Incident,
    IncidentKind,
    IndividualPlan,
    JobOrigin,
    JobSearchActivity,
    JobSearchKind,
    LegalTitle,
    OutflowType,
    PayKind,
    RiskLevel,
    StayPhase,
)

LEGAL_TITLES = code_of(LegalTitle)
OUTFLOW_TYPES = code_of(OutflowType)


def _age_on(born: datetime.date, day: datetime.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def stays(filters: ExportFilters) -> Sheet:
    columns = [
        *PERSON_COLUMNS,
        STAY_CODE,
        Column("case_code", "Intakezaak van het verblijf (code I…)"),
        Column("place_type", "Soort plaats (code)"),
        flag(
            "participant",
            "Deelnemer (1) of reguliere gedetineerde op een KV-plaats (0)",
        ),
        coded("legal_title", "Titel van plaatsing", LegalTitle),
        Column("placed_on", "Plaatsingsdatum (verschoven als gevraagd)", DATE),
        Column("expected_end", "Verwacht einde (verschoven als gevraagd)", DATE),
        Column("ended_on", "Uitstroomdatum (verschoven als gevraagd)", DATE),
        coded("outflow_type", "Soort uitstroom", OutflowType),
        Column(
            "length_days",
            "Duur verblijf tot uitstroom of einde periode",
            INTEGER,
            unit="dagen",
        ),
        Column("age_at_placement", "Leeftijd bij plaatsing", INTEGER, unit="jaren"),
    ]
    end = filters.period.end

    def rows() -> Iterator[list[Any]]:
        for (
            pk,
            pseudonym,
            site,
            born,
            gender,
            case,
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
                "person__date_of_birth",
                "person__gender",
                "intake_case_id",
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
            by = date_shift_for(pseudonym, filters.date_shift)
            last = ended if ended and ended <= end else end
            yield [
                pseudonym,
                site,
                born.year,
                GENDER.get(gender),
                record_code("stay", pk),
                record_code("case", case) if case else "",
                place_type,
                int(participant),
                LEGAL_TITLES.get(legal_title),
                shift(placed, by),
                shift(expected, by),
                shift(ended, by),
                OUTFLOW_TYPES.get(outflow),
                (last - placed).days,
                _age_on(born, placed),
            ]

    return Sheet("verblijven", columns, rows(), "Eén rij per verblijf.")


def stay_phases(filters: ExportFilters) -> Sheet:
    columns = [
        PSEUDONYM,
        SITE,
        STAY_CODE,
        Column("phase", "Programmafase (code)"),
        Column("phase_name", "Programmafase"),
        Column("place_type", "Soort plaats (code)"),
        Column("started_on", "Van (verschoven als gevraagd)", DATE),
        Column("ended_on", "Tot (verschoven als gevraagd)", DATE),
        Column(
            "length_days",
            "Duur in de fase tot het einde ervan of van de periode",
            INTEGER,
            unit="dagen",
        ),
    ]
    end = filters.period.end

    def rows() -> Iterator[list[Any]]:
        for pseudonym, site, stay, phase, phase_name, place_type, started, ended in (
            StayPhase.objects.filter(stay__in=stays_for(filters))
            .order_by("stay_id", "started_on", "pk")
            .values_list(
                "stay__person__pseudonym",
                "stay__site__code",
                "stay_id",
                "phase__code",
                "phase__name",
                "place_type__code",
                "started_on",
                "ended_on",
            )
            .iterator(chunk_size=CHUNK)
        ):
            by = date_shift_for(pseudonym, filters.date_shift)
            last = ended if ended and ended <= end else end
            yield [
                pseudonym,
                site,
                record_code("stay", stay),
                phase or "",
                phase_name or "",
                place_type,
                shift(started, by),
                shift(ended, by),
                max(0, (last - started).days),
            ]

    return Sheet(
        "verblijf_fasen", columns, rows(), "Eén rij per fase van een verblijf."
    )


INCIDENT_KINDS = code_of(IncidentKind)
DETECTIONS = code_of(Detection)
CONSEQUENCES = code_of(Consequence)

incidents = _per_stay(
    "incidenten",
    "Eén rij per incident tijdens een verblijf (zonder omschrijving).",
    [
        Column("occurred_on", "Datum (verschoven als gevraagd)", DATE),
        coded("kind", "Soort incident", IncidentKind),
        coded("detection", "Hoe ontdekt", Detection),
        coded("consequence", "Gevolg", Consequence),
        Column(
            "return_days",
            "Duur van de tijdelijke terugplaatsing",
            INTEGER,
            unit="dagen",
        ),
        Column("decided_on", "Besloten op (verschoven als gevraagd)", DATE),
    ],
    lambda stays: Incident.objects.filter(stay__in=stays),
    "stay_id",
    ["occurred_on", "kind", "detection", "consequence", "return_days", "decided_on"],
    lambda v, by: [
        shift(v[0], by),
        INCIDENT_KINDS.get(v[1]),
        DETECTIONS.get(v[2]),
        CONSEQUENCES.get(v[3]),
        v[4],
        shift(v[5], by),
    ],
)

SEARCH_KINDS = code_of(JobSearchKind)

job_search = _per_stay(
    "zoekactiviteiten_werk",
    "Eén rij per geregistreerde werkzoekactiviteit (tabel B7.2).",
    [
        coded("kind", "Werkzoekactiviteit", JobSearchKind),
        flag("used", "Gebruikt (1) of niet gebruikt (0)"),
        Column("occurred_on", "Datum (verschoven als gevraagd)", DATE),
    ],
    lambda stays: JobSearchActivity.objects.filter(stay__in=stays),
    "stay_id",
    ["kind", "used", "occurred_on"],
    lambda v, by: [SEARCH_KINDS.get(v[0]), int(v[1]), shift(v[2], by)],
)

PAY_KINDS = code_of(PayKind)
ORIGINS = code_of(JobOrigin)


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(value)


employment = _per_stay(
    "werk",
    "Eén rij per baan tijdens een verblijf (zonder werkgever of functie).",
    [
        coded("pay_kind", "Betaald, onbetaald of vrijwilligerswerk", PayKind),
        coded("origin", "Behouden of gevonden tijdens detentie", JobOrigin),
        Column(
            "hours_per_week", "Uren per week", NUMBER, unit="uur per week", decimals=1
        ),
        Column("started_on", "In dienst sinds (verschoven als gevraagd)", DATE),
        Column("ended_on", "Beëindigd op (verschoven als gevraagd)", DATE),
        flag("continued_after_outflow", "Voortgezet na uitstroom"),
        flag("verifiable_with_employer", "Aanwezigheid controleerbaar bij werkgever"),
        flag("within_travel_distance", "Op aanvaardbare reisafstand van de KV"),
    ],
    lambda stays: Employment.objects.filter(stay__in=stays),
    "stay_id",
    [
        "pay_kind",
        "origin",
        "hours_per_week",
        "started_on",
        "ended_on",
        "continued_after_outflow",
        "verifiable_with_employer",
        "within_travel_distance",
    ],
    lambda v, by: [
        PAY_KINDS.get(v[0]),
        ORIGINS.get(v[1]),
        float(v[2]) if v[2] is not None else None,
        shift(v[3], by),
        shift(v[4], by),
        _flag(v[5]),
        _flag(v[6]),
        _flag(v[7]),
    ],
)

RISK_LEVELS = code_of(RiskLevel)

plans = _per_stay(
    "plannen",
    "Eén rij per individueel plan (zonder vrije tekst).",
    [
        Column("drawn_up_on", "Opgesteld op (verschoven als gevraagd)", DATE),
        flag("written_by_detainee", "Zelfstandig opgesteld door de gedetineerde"),
        coded("risk_level", "Recidiverisico", RiskLevel),
        Column("risk_assessment_on", "Risicotaxatie op (verschoven)", DATE),
        Column(
            "strengths_inventory_on", "Krachteninventarisatie op (verschoven)", DATE
        ),
        Column("aftercare_involved_on", "Nazorgcoördinator betrokken sinds", DATE),
        Column("signed_on", "Overeenkomst ondertekend op (verschoven)", DATE),
        flag("continues_after_detention", "Loopt door na detentie"),
    ],
    lambda stays: IndividualPlan.objects.filter(stay__in=stays),
    "stay_id",
    [
        "drawn_up_on",
        "written_by_detainee",
        "risk_level",
        "risk_assessment_on",
        "strengths_inventory_on",
        "aftercare_involved_on",
        "signed_on",
        "continues_after_detention",
    ],
    lambda v, by: [
        shift(v[0], by),
        _flag(v[1]),
        RISK_LEVELS.get(v[2]),
        shift(v[3], by),
        shift(v[4], by),
        shift(v[5], by),
        shift(v[6], by),
        _flag(v[7]),
    ],
)

FRAMEWORKS = code_of(GoalFramework)
GOAL_STATUSES = code_of(GoalStatus)

goals = _per_stay(
    "doelen",
    "Eén rij per doel in een plan (zonder omschrijving).",
    [
        GOAL_CODE,
        Column("domain", "Leefgebied (code)"),
        Column("domain_name", "Leefgebied"),
        coded("framework", "Kader van het leefgebied", GoalFramework),
        Column("target_date", "Streefdatum (verschoven als gevraagd)", DATE),
        coded("status", "Status van het doel", GoalStatus),
    ],
    lambda stays: Goal.objects.filter(plan__stay__in=stays),
    "plan__stay_id",
    [
        "pk",
        "domain__code",
        "domain__name",
        "domain__framework",
        "target_date",
        "status",
    ],
    lambda v, by: [
        record_code("goal", v[0]),
        v[1],
        v[2],
        FRAMEWORKS.get(v[3]),
        shift(v[4], by),
        GOAL_STATUSES.get(v[5]),
    ],
)

ACTIVITY_STATUSES = code_of(ActivityStatus)
ORGANISATION_KINDS = code_of(OrganisationKind)

activities = _per_stay(
    "activiteiten",
    "Eén rij per activiteit bij een doel (soort partner, nooit namen).",
    [
        GOAL_CODE,
        coded("status", "Status van de activiteit", ActivityStatus),
        Column("due_on", "Gepland op (verschoven als gevraagd)", DATE),
        Column("done_on", "Gedaan op (verschoven als gevraagd)", DATE),
        coded(
            "partner_kind",
            "Soort verantwoordelijke partner (leeg: geen partner)",
            OrganisationKind,
        ),
    ],
    lambda stays: Activity.objects.filter(goal__plan__stay__in=stays),
    "goal__plan__stay_id",
    ["goal_id", "status", "due_on", "done_on", "responsible_organisation__kind"],
    lambda v, by: [
        record_code("goal", v[0]),
        ACTIVITY_STATUSES.get(v[1]),
        shift(v[2], by),
        shift(v[3], by),
        ORGANISATION_KINDS.get(v[4] or ""),
    ],
)

ROLE_KINDS = code_of(CaseRoleKind)


def partner_roles(filters: ExportFilters) -> Sheet:
    """Roles partners play for the exported people: kinds only, never who.

    A role belongs to a person, not a stay; it is listed with each exported
    stay it overlaps (the period's end for a stay still running), and once
    with an empty stay code when it overlaps none of them."""
    columns = [
        *STAY_KEYS,
        coded("role", "Rol", CaseRoleKind),
        coded("organisation_kind", "Soort organisatie", OrganisationKind),
        Column("started_on", "Van (verschoven als gevraagd)", DATE),
        Column("ended_on", "Tot (verschoven als gevraagd)", DATE),
    ]
    end = filters.period.end

    def rows() -> Iterator[list[Any]]:
        exported = stays_for(filters)
        stays_of: dict[int, list[tuple[int, datetime.date, datetime.date]]] = {}
        for pk, person, placed, ended in exported.values_list(
            "pk", "person_id", "placed_on", "ended_on"
        ).order_by("person_id", "placed_on"):
            stays_of.setdefault(person, []).append((pk, placed, ended or end))
        for person, pseudonym, site, role, kind, started, ended in (
            CaseRole.objects.filter(person__in=exported.values("person_id"))
            .order_by("person_id", "started_on", "pk")
            .values_list(
                "person_id",
                "person__pseudonym",
                "person__site__code",
                "role",
                "organisation__kind",
                "started_on",
                "ended_on",
            )
            .iterator(chunk_size=CHUNK)
        ):
            by = date_shift_for(pseudonym, filters.date_shift)
            overlapping = [
                pk
                for pk, placed, last in stays_of.get(person, [])
                if started <= last and (ended is None or ended >= placed)
            ]
            for stay in overlapping or [None]:
                yield [
                    pseudonym,
                    site,
                    record_code("stay", stay) if stay else "",
                    ROLE_KINDS.get(role),
                    ORGANISATION_KINDS.get(kind or ""),
                    shift(started, by),
                    shift(ended, by),
                ]

    return Sheet(
        "partnerrollen",
        columns,
        rows(),
        "Welke soort partner welke rol speelt, per verblijf (nooit namen).",
    )

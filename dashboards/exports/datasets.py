"""The sheets of a research export, as typed columns plus a lazy stream of rows.

Rows are read from the database with ``iterator()`` in sorted order and
joined while streaming, so memory stays flat however many people are
exported. Only pseudonyms, birth years, kinds and (optionally shifted) dates
leave the system: no query here selects a name, birth date, DJI number,
contact, employer or free text. Values are typed (``int``, ``float``,
``datetime.date``, ``str``), so every writer stores them as what they are.

Every person-level sheet is keyed the same way (pseudonym, KV, stay code),
so every figure on the dashboards can be recomputed from the files alone.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import hmac
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone, translation

from core.models import Gender, SecurityLevel, Site
from core.periods import Period
from dashboards import b7
from dashboards.exports.codebook import (
    CODE,
    DATE,
    FREE_TEXT_TYPES,
    INTEGER,
    MISSING_LABELS,
    NUMBER,
    STATA_MVDECODE,
    TEXT,
    Column,
    code_of,
    coded,
    dutch_labels,
    encode,
    flag,
    item_kind,
    missing_code,
    pairs,
    value_labels_for,
)
from dashboards.scope import Scope
from dashboards.selectors.flow import site_summaries
from evaluation.catalogue import current_catalogue
from evaluation.models import (
    MOMENT_ORDER,
    TAKEN,
    Answer,
    AnswerType,
    Item,
    KvAnswer,
    KvMeasurement,
    Measurement,
    MeasurementStatus,
    Moment,
)
from evaluation.registration import (
    Holder,
    map_entry,
    registration_map,
    respondent_groups,
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
    Stay,
    StayPhase,
)

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


@dataclass(frozen=True)
class ExportAbout:
    """Who made the export, when and how: the "over dit bestand" sheet."""

    number: int | None = None
    created_at: datetime.datetime | None = None
    role: str = ""
    format: str = ""


@dataclass
class Sheet:
    name: str
    columns: list[Column]
    rows: Iterator[list[Any]] = field(default_factory=lambda: iter(()))
    description: str = ""


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


#: the letter each kind of keyed record starts with (README: export codes)
RECORD_PREFIXES = {"stay": "S", "case": "I", "goal": "G"}


@functools.lru_cache(maxsize=65536)
def record_code(kind: str, pk: int) -> str:
    """A stay's, intake case's or goal's number in an export: stable between
    exports (so sheets and exports can be linked) but, unlike the database id
    in the application's addresses, not traceable to a record without the
    key. Stays start with S, intake cases with I, goals with G."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{kind}:{pk}".encode(), hashlib.sha256
    ).hexdigest()
    return f"{RECORD_PREFIXES[kind]}{digest[:12]}"


def shift(day: datetime.date | None, by: datetime.timedelta) -> datetime.date | None:
    """``day`` moved by the person's shift; None when it cannot be moved."""
    if day is None:
        return None
    try:
        return day + by
    except OverflowError:
        return None


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
    decimals: int = 0


def _item_columns(column: Column, info: ItemInfo, moment: str = "") -> list[Column]:
    """The column(s) of one item: a date item also gets the column holding
    the reason its date is missing; a free-text item only that column (the
    text may name people and never leaves, the reason it is missing does,
    so completeness per reason can be recomputed)."""
    if info.answer_type not in (AnswerType.DATE, AnswerType.TEXT):
        return [column]
    text = info.answer_type == AnswerType.TEXT
    return [
        *([] if text else [column]),
        Column(
            f"{column.name}_ontbr"[:64],
            f"{column.label}: reden ontbreken"
            + (" (de tekst zelf wordt nooit geëxporteerd)" if text else ""),
            CODE,
            value_labels=dict(MISSING_LABELS),
            missing=False,
            topic=column.topic,
            category=column.category,
            moment=moment or column.moment,
            catalogue_version=column.catalogue_version,
            source=column.source,
            held_by=column.held_by,
            held_in=column.held_in,
            route=column.route,
        ),
    ]


def _items(
    filters: ExportFilters,
    *,
    kv_level: bool,
    extra_item_ids: set[int] | None = None,
) -> tuple[list[Column], dict[int, ItemInfo]]:
    """Exportable catalogue items: one column per variable name.

    Several catalogue versions may hold the same variable; their rows map to
    one column and the codebook names every version. ``extra_item_ids``
    are added whatever their level (KV-level answers given to items that are
    now recorded per person).
    """
    items = (
        Item.objects.filter(catalogue__site_id__in=filters.site_ids)
        .exclude(answer_type=AnswerType.GROUP)
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
        if item.is_kv_level != kv_level and item.pk not in (extra_item_ids or ()):
            continue
        catalogue = item.catalogue
        version = f"{catalogue.site.code} {catalogue.table} v{catalogue.version}"
        moments = item.asked_at(item.topic.category) if not kv_level else ()
        info[item.pk] = ItemInfo(
            item.var, item.answer_type, item.choices, moments, item.decimals
        )
        if item.var in columns:
            if version not in columns[item.var].catalogue_version:
                columns[item.var].catalogue_version += f", {version}"
            continue
        label = item.text
        if item.parent_id is not None:
            label = f"{item.parent.text}: {item.text}"
        kind = item_kind(item.answer_type, item.decimals)
        with translation.override("nl"):
            entry = map_entry(item)
            held_by = str(Holder(entry.holder).label) if entry.holder else ""
            route = str(entry.route_label)
        columns[item.var] = Column(
            name=item.var,
            label=label[:250],
            kind=kind,
            unit=item.unit,
            value_labels=value_labels_for(item.answer_type, item.choices),
            missing=kind != DATE,
            topic=item.topic.title,
            category=item.topic.get_category_display(),
            moment=",".join(moments),
            catalogue_version=version,
            source=(
                f"meting, of registratie ({item.derived_from})"
                if item.derived_from
                else "meting"
            ),
            decimals=item.decimals,
            held_by=held_by,
            held_in=entry.held_in_label,
            route=route,
        )
    return list(columns.values()), info


def _item_positions(
    variables: list[Column], infos: dict[str, ItemInfo]
) -> tuple[list[Column], dict[str, int]]:
    """The columns of the items and where each variable's first column is."""
    columns: list[Column] = []
    position: dict[str, int] = {}
    for variable in variables:
        position[variable.name] = len(columns)
        columns += _item_columns(variable, infos[variable.name])
    return columns, position


STAY_CODE = Column("stay_code", "Verblijf (code S…, gelijk in elk blad en elke export)")
CASE_CODE = Column(
    "case_code", "Intakezaak (code I…, gelijk in elk blad en elke export)"
)
GOAL_CODE = Column("goal_code", "Doel (code G…, gelijk in elk blad en elke export)")
PSEUDONYM = Column("pseudonym", "Onderzoekspseudoniem")
SITE = Column("site", "KV (code; namen in het blad over_dit_bestand)")
PERSON_COLUMNS = [
    PSEUDONYM,
    SITE,
    Column("birth_year", "Geboortejaar", INTEGER, unit="jaartal"),
    coded("gender", "Geslacht", Gender),
]
PERSON_KEYS = ("person__pseudonym", "site__code")
GENDER = code_of(Gender)


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


SECURITY = code_of(SecurityLevel)


def kv_registration(filters: ExportFilters) -> Sheet:
    """Per site: inflow, outflow and occupancy from the registration."""
    columns = [
        SITE,
        Column("site_name", "KV"),
        coded("security_level", "Beveiligingsniveau", SecurityLevel),
        Column("period_start", "Periode van", DATE),
        Column("period_end", "Periode tot en met", DATE),
        Column("inflow", "Plaatsingen in de periode", INTEGER, unit="verblijven"),
        Column("outflow", "Uitstroom in de periode", INTEGER, unit="verblijven"),
        Column(
            "present_at_end", "In de KV op de laatste dag", INTEGER, unit="personen"
        ),
        Column(
            "capacity_at_end",
            "Gerealiseerde plaatsen op de laatste dag",
            INTEGER,
            unit="plaatsen",
        ),
    ]
    scope = Scope(filters.site_ids, filters.period)

    def rows() -> Iterator[list[Any]]:
        summaries = site_summaries(scope)
        for site in Site.objects.filter(pk__in=filters.site_ids).order_by("code"):
            summary = summaries[site.pk]
            yield [
                site.code,
                site.name,
                SECURITY.get(site.security_level),
                filters.period.start,
                filters.period.end,
                summary.inflow,
                summary.outflow,
                summary.present_at_end,
                summary.capacity_at_end,
            ]

    return Sheet(
        "kv_registratie", columns, rows(), "Per KV: in- en uitstroom, bezetting."
    )


#: the respondent group of answers from before the groups existed
UNSPECIFIED_GROUP_CODE = 0


def respondent_group_column() -> Column:
    labels = {UNSPECIFIED_GROUP_CODE: "niet gespecificeerd"}
    labels |= {g.export_code: g.name for g in respondent_groups().values()}
    return Column(
        "respondent_group",
        "Respondentgroep (een rij per KV, periode en respondentgroep; 0 = niet "
        "gespecificeerd: antwoorden van voor de respondentgroepen; leeg = nog "
        "geen antwoorden)",
        CODE,
        value_labels=dict(sorted(labels.items())),
    )


def kv_measurements(filters: ExportFilters) -> Sheet:
    """KV-level measurements (interview topics), one row per site, period and
    respondent group: the answers of different groups are never merged.

    Answers given per KV to items now recorded per person (before catalogue
    version 2) are kept here as they were given.
    """
    period = filters.period
    measured = KvMeasurement.objects.filter(
        site_id__in=filters.site_ids,
        period_start__lte=period.end,
        period_end__gte=period.start,
        status__in=TAKEN,
    )
    earlier = set(
        KvAnswer.objects.filter(kv_measurement__in=measured)
        .exclude(item__recorded_at="kv")
        .values_list("item_id", flat=True)
    )
    variables, items = _items(filters, kv_level=True, extra_item_ids=earlier)
    infos = {info.var: info for info in items.values()}
    item_columns, position = _item_positions(variables, infos)
    columns = [
        SITE,
        Column("period_start", "Periode van", DATE),
        Column("period_end", "Periode tot en met", DATE),
        coded("status", "Status van de meting", MeasurementStatus),
        respondent_group_column(),
        *item_columns,
    ]
    groups = respondent_groups()
    group_codes = {code: g.export_code for code, g in groups.items()}
    group_order = {code: index for index, code in enumerate(["", *groups])}

    def rows() -> Iterator[list[Any]]:
        answers = (
            KvAnswer.objects.filter(kv_measurement__in=measured)
            .order_by("kv_measurement_id")
            .values_list(
                "kv_measurement_id",
                "item_id",
                "value",
                "missing_reason",
                "respondent_group",
            )
            .iterator(chunk_size=CHUNK)
        )
        pending = next(answers, None)
        nothing = datetime.timedelta(0)
        for pk, site, start, end, status in (
            measured.order_by("pk")
            .values_list("pk", "site__code", "period_start", "period_end", "status")
            .iterator(chunk_size=CHUNK)
        ):
            # one measurement's answers: items x groups, a bounded handful
            by_group: dict[str, list[Any]] = {}
            while pending is not None and pending[0] <= pk:
                if pending[0] == pk and pending[1] in items:
                    info = items[pending[1]]
                    values = by_group.setdefault(pending[4], [None] * len(item_columns))
                    _place(
                        values,
                        position,
                        info,
                        pending[2],
                        pending[3],
                        nothing,
                        info.var,
                    )
                pending = next(answers, None)
            head = [site, start, end, STATUSES.get(status)]
            if not by_group:
                yield [*head, None, *([None] * len(item_columns))]
            for group in sorted(by_group, key=lambda g: group_order.get(g, 99)):
                code = group_codes.get(group, UNSPECIFIED_GROUP_CODE)
                yield [*head, code, *by_group[group]]

    return Sheet(
        "kv_metingen",
        columns,
        rows(),
        "Metingen op KV-niveau (interviews over de KV zelf): een rij per KV, "
        "periode en respondentgroep (kolom respondent_group); de antwoorden van "
        "verschillende groepen staan nooit in dezelfde rij.",
    )


def registration_sheet(filters: ExportFilters) -> Sheet:
    """The registration map (research question 3b) per site and topic of the
    current catalogue: how many items are held where and how they reach the
    dataset; the same shares as the page, from the same selector."""
    counts = [
        Column(name, label, INTEGER, unit="items")
        for name, label in (
            ("items", "Items met een waarde"),
            ("held_app", "Vastgelegd in deze applicatie"),
            ("held_external", "Vastgelegd in een extern systeem"),
            ("held_nowhere", "Nergens vastgelegd"),
            ("held_unmapped", "Nog niet in kaart gebracht"),
            ("route_derived", "Afgeleid uit de registratie van deze applicatie"),
            ("route_researcher", "Ingevoerd door de onderzoeker"),
            ("route_external_link", "Overgenomen uit een externe registratie"),
            ("route_unmapped", "Nog niet in kaart gebracht"),
        )
    ]
    columns = [
        SITE,
        Column("catalogue_version", "Catalogusversie", INTEGER),
        Column("topic_code", "Onderwerp (code)"),
        Column("topic", "Onderwerp"),
        *counts,
    ]

    def rows() -> Iterator[list[Any]]:
        sites = Site.objects.filter(pk__in=filters.site_ids).order_by("code")
        codes = {site.pk: site.code for site in sites}
        catalogues = [c for c in map(current_catalogue, sites) if c is not None]
        for site_map in registration_map(catalogues, filters.topics):
            code = codes[site_map.catalogue.site_id]
            for node in site_map.topics:
                yield [
                    code,
                    site_map.catalogue.version,
                    node.code,
                    node.title,
                    node.total,
                    *(share.count for share in node.holder_shares),
                    *(share.count for share in node.route_shares),
                ]

    return Sheet(
        "registratiekaart",
        columns,
        rows(),
        "Wordt deze informatie reeds vastgelegd? Per KV en onderwerp: waar de "
        "items zijn vastgelegd en hoe ze in de dataset komen; per item in het "
        "codeboek (vastgelegd, vastgelegd_in, weg_naar_dataset).",
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


STAY_KEYS = [PSEUDONYM, SITE, STAY_CODE]


def _per_stay(
    name: str,
    description: str,
    columns: list[Column],
    queryset: Callable[[QuerySet[Stay]], QuerySet],
    stay_field: str,
    fields: list[str],
    convert: Callable[[list[Any], datetime.timedelta], list[Any]],
) -> Callable[[ExportFilters], Sheet]:
    """A sheet of registrations of the exported stays, keyed like the others."""

    def build(filters: ExportFilters) -> Sheet:
        def rows() -> Iterator[list[Any]]:
            for pseudonym, site, stay, *values in (
                queryset(stays_for(filters))
                .order_by(stay_field, "pk")
                .values_list(
                    f"{stay_field.removesuffix('_id')}__person__pseudonym",
                    f"{stay_field.removesuffix('_id')}__site__code",
                    stay_field,
                    *fields,
                )
                .iterator(chunk_size=CHUNK)
            ):
                by = date_shift_for(pseudonym, filters.date_shift)
                yield [
                    pseudonym,
                    site,
                    record_code("stay", stay),
                    *convert(values, by),
                ]

        return Sheet(name, [*STAY_KEYS, *columns], rows(), description)

    build.__name__ = name
    return build


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


def b7_sheet(filters: ExportFilters) -> Sheet:
    """Bijlage 7 per site, one row per figure, with its N and its source."""
    columns = [
        SITE,
        Column("table", "Tabel"),
        Column("row", "Rij (code)"),
        Column("label", "Rij"),
        Column("value", "Aantal, leeftijd of dagen", INTEGER),
        Column("n", "N (de personen waarover de rij gaat)", INTEGER),
        Column("words", "In jaren (duurrijen)"),
        Column("source", "Bron van het cijfer"),
    ]

    def rows() -> Iterator[list[Any]]:
        for site in Site.objects.filter(pk__in=filters.site_ids).order_by("code"):
            result = b7.b7_tables(
                Scope((site.pk,), filters.period),
                programme=site.alias or site.name,
                plan=site.individual_plan_name or "individuele plan",
            )
            for table in result.tables:
                for section in table.sections:
                    for row in section.rows:
                        first, second = ([*list(row.values), None, None])[:2]
                        yield [
                            site.code,
                            table.title,
                            row.code,
                            row.label,
                            first,
                            len(row.population_ids),
                            second if isinstance(second, str) else "",
                            row.source_note,
                        ]

    return Sheet(
        "bijlage7", columns, rows(), "Bijlage 7 zoals het dashboard die toont."
    )


#: every data sheet, in the order of the workbook
SHEETS: list[Callable[[ExportFilters], Sheet]] = [
    person_long,
    person_wide,
    kv_registration,
    kv_measurements,
    intake_cases,
    intake_stages,
    stays,
    stay_phases,
    incidents,
    job_search,
    employment,
    plans,
    goals,
    activities,
    partner_roles,
    b7_sheet,
    registration_sheet,
]


def build_sheets(filters: ExportFilters) -> list[Sheet]:
    return [build(filters) for build in SHEETS]


def about_sheet(
    filters: ExportFilters, about: ExportAbout, sheets: list[Sheet]
) -> Sheet:
    """The sheet "over dit bestand": what the file holds, for whom, how."""
    from evaluation.models import CatalogueVersion

    sites = list(Site.objects.filter(pk__in=filters.site_ids).order_by("code"))
    created = about.created_at or timezone.now()
    catalogues = [
        f"{c.site.code}: tabel {c.table} versie {c.version} (geldig vanaf "
        f"{c.valid_from:%d-%m-%Y})"
        for c in CatalogueVersion.objects.filter(site__in=sites)
        .select_related("site")
        .order_by("site__code", "version")
    ]
    rows = [
        ["export", f"onderzoeksexport #{about.number}" if about.number else "-"],
        ["gemaakt_op", timezone.localtime(created).strftime("%d-%m-%Y %H:%M")],
        ["gemaakt_door_rol", about.role or "-"],
        ["formaat", about.format or "-"],
        ["periode_van", filters.period.start.strftime("%d-%m-%Y")],
        ["periode_tot_en_met", filters.period.end.strftime("%d-%m-%Y")],
        ["kvs", "; ".join(f"{s.code} = {s.name}" for s in sites)],
        [
            "datumverschuiving",
            "aan: elke datum van een persoon is met hetzelfde aantal dagen "
            "(1 tot 180 eerder of later) verschoven; duren kloppen"
            if filters.date_shift
            else "uit: datums zijn de geregistreerde datums",
        ],
        ["meetmomenten", ", ".join(filters.moments) or "alle"],
        ["onderwerpen", ", ".join(filters.topics) or "alle"],
        ["catalogusversies", "; ".join(catalogues) or "-"],
        ["applicatieversie", settings.KV_APP_VERSION],
        [
            "ontbrekende_waarden",
            pairs(MISSING_LABELS)
            + "; leeg = niet gevraagd op dit moment of niet gemeten. SPSS: "
            f"gebruikersmissend; Stata: waarden met labels, {STATA_MVDECODE} "
            "maakt er .a-.d van. "
            "De reden dat een datum ontbreekt staat in de kolom <naam>_ontbr.",
        ],
        [
            "codes",
            "Verblijven S…, intakezaken I…, doelen G…: gelijk in elk blad en "
            "elke export, niet herleidbaar tot een dossier.",
        ],
        *[[f"blad_{sheet.name}", sheet.description] for sheet in sheets],
    ]
    return Sheet(
        "over_dit_bestand",
        [Column("onderdeel", "Onderdeel"), Column("waarde", "Waarde")],
        iter(rows),
        "Wat dit bestand bevat en hoe het gemaakt is.",
    )


def codebook_sheet(sheets: list[Sheet]) -> Sheet:
    from dashboards.exports.codebook import CODEBOOK_HEADERS

    return Sheet(
        "codebook",
        [Column(name, name) for name in CODEBOOK_HEADERS],
        (
            column.codebook_row(sheet.name)
            for sheet in sheets
            for column in sheet.columns
        ),
        "Elke variabele van elk blad: label, eenheid, type, meetniveau, waarden.",
    )


def value_labels_sheet(sheets: list[Sheet]) -> Sheet:
    """Every value label of every coded variable, one row per code, the same
    labels as in the codebook and the SPSS and Stata files."""

    def rows() -> Iterator[list[Any]]:
        for sheet in sheets:
            for column in sheet.columns:
                for code, label in column.all_value_labels.items():
                    yield [sheet.name, column.name, code, label]

    return Sheet(
        "waardelabels",
        [
            Column("blad", "Blad"),
            Column("variabele", "Variabele"),
            Column("code", "Code", INTEGER),
            Column("label", "Label"),
        ],
        rows(),
        "Alle waardelabels, één rij per code.",
    )


__all__ = [
    "CODE",
    "TEXT",
    "ExportAbout",
    "ExportFilters",
    "Sheet",
    "about_sheet",
    "build_sheets",
    "codebook_sheet",
    "value_labels_sheet",
]

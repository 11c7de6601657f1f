"""Who did the work: per site and period, each row of the site's
responsibility table (tables 2.1.1 to 2.5.1) against what its organisation
actually did, and the tasks another party took over (obstacle C, report
L4969-4975).

Four kinds of record carry an agreed and a performing organisation: intake
stage events, pre-scan answers, plan activities (done) and case roles. The
one definition of each number is ``records_behind``: the dashboard counts
with the same filter (``measure_filter``) that the list behind a number uses.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, F, Model, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.models import Person
from core.periods import Period
from core.scoping import CASE_READ_ROLES, site_ids_for
from dashboards.scope import Scope
from intake.models import PrescanAnswer, PrescanPartner, StageEvent
from partners.models import (
    CaseRole,
    CaseRoleKind,
    Organisation,
    PartnerResponsibility,
)
from trajectories.models import Activity
from trajectories.models.plans import ActivityStatus


@dataclass(frozen=True)
class RecordKind:
    """One kind of record that says which organisation did a task."""

    code: str
    label: Promise
    model: type[Model]
    #: the organisation responsible by agreement, and the one that did it
    agreed: str
    performer: str
    #: from a record to its person and to its site
    person: str
    site: str
    #: the task (stage, pre-scan partner, life area, role): key and label
    task: str
    task_label: str
    #: the date the list shows
    day: str
    in_period: Callable[[Period], Q]
    #: label of a coded task (choices), else the ``task_label`` value
    task_choices: dict[str, str] = field(default_factory=dict)


def _between(name: str) -> Callable[[Period], Q]:
    return lambda period: Q(**{f"{name}__range": (period.start, period.end)})


def _role_in_period(period: Period) -> Q:
    # a role counts in every period it was held in
    return Q(started_on__lte=period.end) & (
        Q(ended_on__isnull=True) | Q(ended_on__gte=period.start)
    )


def _done_in_period(period: Period) -> Q:
    # what an organisation did: activities done, on the day they were done
    return Q(status=ActivityStatus.DONE) & _between("done_on")(period)


KINDS: dict[str, RecordKind] = {
    kind.code: kind
    for kind in (
        RecordKind(
            code="stage",
            label=_("intake stages"),
            model=StageEvent,
            agreed="agreed_organisation",
            performer="performing_organisation",
            person="case__person",
            site="case__site",
            task="stage__code",
            task_label="stage__name",
            day="occurred_on",
            in_period=_between("occurred_on"),
        ),
        RecordKind(
            code="prescan",
            label=_("pre-scan answers"),
            model=PrescanAnswer,
            agreed="agreed_organisation",
            performer="performing_organisation",
            person="case__person",
            site="case__site",
            task="partner",
            task_label="partner",
            day="answered_on",
            in_period=_between("answered_on"),
            task_choices={k: str(v) for k, v in PrescanPartner.choices},
        ),
        RecordKind(
            code="activity",
            label=_("plan activities done"),
            model=Activity,
            agreed="responsible_organisation",
            performer="performing_organisation",
            person="goal__plan__stay__person",
            site="goal__plan__stay__site",
            task="goal__domain__code",
            task_label="goal__domain__name",
            day="done_on",
            in_period=_done_in_period,
        ),
        RecordKind(
            code="role",
            label=_("case roles"),
            model=CaseRole,
            agreed="agreed_organisation",
            performer="organisation",
            person="person",
            site="person__site",
            task="role",
            task_label="role",
            day="started_on",
            in_period=_role_in_period,
            task_choices={k: str(v) for k, v in CaseRoleKind.choices},
        ),
    )
}


class Measure:
    """What a number on the partners dashboard counts for one organisation."""

    AGREED = "agreed"  # the organisation was responsible by agreement
    OWN = "own"  # ... and did it itself
    TAKEN_OVER = "taken_over"  # ... and another party did it
    FOR_OTHERS = "for_others"  # it did a task agreed to another party (or none)

    ALL = (AGREED, OWN, TAKEN_OVER, FOR_OTHERS)
    LABELS = {
        AGREED: _("responsible by agreement"),
        OWN: _("done itself"),
        TAKEN_OVER: _("taken over by another party"),
        FOR_OTHERS: _("done for another party"),
    }


def measure_filter(
    kind: RecordKind,
    measure: str,
    organisation_id: int | None = None,
    performer_id: int | None = None,
) -> Q:
    """The records a measure counts for an organisation. ``TAKEN_OVER``
    without an organisation is every task taken over; a ``performer_id``
    narrows it to the party that took over."""
    agreed = f"{kind.agreed}_id"
    performer = f"{kind.performer}_id"
    if measure == Measure.AGREED:
        return Q(**{agreed: organisation_id})
    if measure == Measure.OWN:
        return Q(**{agreed: organisation_id, performer: organisation_id})
    if measure == Measure.TAKEN_OVER:
        condition = Q(
            **{f"{agreed}__isnull": False, f"{performer}__isnull": False}
        ) & ~Q(**{agreed: F(performer)})
        if organisation_id is not None:
            condition &= Q(**{agreed: organisation_id})
        if performer_id is not None:
            condition &= Q(**{performer: performer_id})
        return condition
    if measure == Measure.FOR_OTHERS:
        return Q(**{performer: organisation_id}) & (
            Q(**{f"{agreed}__isnull": True}) | ~Q(**{agreed: organisation_id})
        )
    return Q(pk__in=[])


def records_in(scope: Scope, kind: RecordKind) -> QuerySet:
    """The records of ``kind`` at the scope's sites in its period."""
    return kind.model.objects.filter(**{f"{kind.site}__in": scope.site_ids}).filter(
        kind.in_period(scope.period)
    )


def records_behind(
    scope: Scope,
    kind: RecordKind,
    measure: str,
    *,
    organisation_id: int | None = None,
    performer_id: int | None = None,
    task: str = "",
) -> QuerySet:
    """The records one number counted; the list behind it shows exactly these."""
    rows = records_in(scope, kind).filter(
        measure_filter(kind, measure, organisation_id, performer_id)
    )
    if task:
        rows = rows.filter(**{kind.task: task})
    return rows


@dataclass
class Cell:
    count: int
    url: str
    label: str = ""


@dataclass
class KindLine:
    kind: RecordKind
    cells: list[Cell]


@dataclass
class OrganisationBlock:
    """One organisation: its rows of the responsibility table and, per kind
    of record, what it was agreed to do and what it did."""

    organisation: Organisation | None
    rows: list[PartnerResponsibility]
    lines: list[KindLine]


@dataclass
class TakenOver:
    kind: RecordKind
    task: str
    agreed: Organisation
    performer: Organisation
    cell: Cell


@dataclass
class Delivery:
    blocks: list[OrganisationBlock]
    taken_over: list[TakenOver]
    measures: list[tuple[str, Promise]]


def _link(scope: Scope, kind: RecordKind, measure: str, **extra: object) -> str:
    query = scope.period.query(kind=kind.code, measure=measure, **extra)
    return f"{scope.cases_url}?{query}"


def _task_text(kind: RecordKind, key: str, label: str) -> str:
    return kind.task_choices.get(key, label) if kind.task_choices else label


def partner_delivery(scope: Scope, *, site_id: int) -> Delivery:
    """The partners dashboard of one site: 2 queries per kind of record, one
    for the responsibility table and one for the organisations."""
    rows = list(
        PartnerResponsibility.objects.filter(table__site_id=site_id).order_by(
            "table__number", "order"
        )
    )
    counts: dict[str, dict[str, int]] = {}
    pairs: dict[str, list[dict]] = {}
    organisation_ids = {row.organisation_id for row in rows} - {None}
    for kind in KINDS.values():
        records = records_in(scope, kind)
        pairs[kind.code] = list(
            records.filter(measure_filter(kind, Measure.TAKEN_OVER))
            .values(
                agreed_id=F(f"{kind.agreed}_id"),
                performer_id=F(f"{kind.performer}_id"),
                task_key=F(kind.task),
                task_name=F(kind.task_label),
            )
            .annotate(n=Count("pk"))
            .order_by("task_key", "agreed_id", "performer_id")
        )
        present = set(
            records.values_list(f"{kind.agreed}_id", f"{kind.performer}_id").distinct()
        )
        organisation_ids |= {pk for pair in present for pk in pair} - {None}
        counts[kind.code] = {}
        if organisation_ids:
            counts[kind.code] = records.aggregate(
                **{
                    f"{measure}_{pk}": Count(
                        "pk", filter=measure_filter(kind, measure, pk)
                    )
                    for pk in sorted(organisation_ids)
                    for measure in Measure.ALL
                }
            )
    organisations = Organisation.objects.in_bulk(organisation_ids)
    blocks = _blocks(scope, rows, organisations, counts)
    taken_over = [
        TakenOver(
            kind=KINDS[code],
            task=_task_text(
                KINDS[code], pair["task_key"] or "", pair["task_name"] or ""
            ),
            agreed=organisations[pair["agreed_id"]],
            performer=organisations[pair["performer_id"]],
            cell=Cell(
                pair["n"],
                _link(
                    scope,
                    KINDS[code],
                    Measure.TAKEN_OVER,
                    organisation=pair["agreed_id"],
                    performer=pair["performer_id"],
                    task=pair["task_key"],
                ),
            ),
        )
        for code, found in pairs.items()
        for pair in found
    ]
    return Delivery(
        blocks=blocks,
        taken_over=taken_over,
        measures=[(m, Measure.LABELS[m]) for m in Measure.ALL],
    )


def _blocks(
    scope: Scope,
    rows: list[PartnerResponsibility],
    organisations: dict[int, Organisation],
    counts: dict[str, dict[str, int]],
) -> list[OrganisationBlock]:
    """Organisations in the order of the table; then those that did work
    without a row; last the rows that name no organisation."""
    order: list[int | None] = []
    for row in rows:
        if row.organisation_id not in order:
            order.append(row.organisation_id)
    rest = sorted(
        (pk for pk in organisations if pk not in order),
        key=lambda pk: organisations[pk].name,
    )
    blocks = []
    for pk in [o for o in order if o is not None] + rest + [None]:
        own_rows = [row for row in rows if row.organisation_id == pk]
        if pk is None and not own_rows:
            continue
        lines = []
        if pk is not None:
            for kind in KINDS.values():
                numbers = [counts[kind.code].get(f"{m}_{pk}", 0) for m in Measure.ALL]
                if any(numbers):
                    lines.append(
                        KindLine(
                            kind,
                            [
                                Cell(
                                    n,
                                    _link(scope, kind, m, organisation=pk),
                                    str(Measure.LABELS[m]),
                                )
                                for m, n in zip(Measure.ALL, numbers, strict=True)
                            ],
                        )
                    )
        blocks.append(
            OrganisationBlock(
                organisation=organisations.get(pk) if pk else None,
                rows=own_rows,
                lines=lines,
            )
        )
    return blocks


@dataclass
class RecordLine:
    pseudonym: str
    person_pk: int
    name: str
    site: str
    task: str
    day: datetime.date | None
    agreed: str
    performer: str


def record_values(rows: QuerySet, kind: RecordKind) -> QuerySet:
    """The records behind a number as list lines, without identifying data."""
    return rows.order_by(f"{kind.person}__pseudonym", "pk").values(
        "pk",
        person_pk=F(kind.person),
        pseudonym=F(f"{kind.person}__pseudonym"),
        person_site=F(f"{kind.person}__site_id"),
        site_name=F(f"{kind.person}__site__name"),
        task_key=F(kind.task),
        task_name=F(kind.task_label),
        day=F(kind.day),
        agreed_name=F(f"{kind.agreed}__name"),
        performer_name=F(f"{kind.performer}__name"),
    )


def record_lines(
    user: AbstractBaseUser | AnonymousUser, values: list[dict], kind: RecordKind
) -> list[RecordLine]:
    """One page of list lines: pseudonyms for everyone, names only for
    people at sites where the user is casemanager or project leader (read
    for those people alone)."""
    named_sites = site_ids_for(user, CASE_READ_ROLES)
    named = {
        pk: f"{last}, {first}"
        for pk, first, last in Person.objects.filter(
            pk__in={v["person_pk"] for v in values if v["person_site"] in named_sites}
        ).values_list("pk", "first_name", "last_name")
    }
    return [
        RecordLine(
            pseudonym=v["pseudonym"],
            person_pk=v["person_pk"],
            name=named.get(v["person_pk"], ""),
            site=v["site_name"],
            task=_task_text(kind, v["task_key"] or "", v["task_name"] or ""),
            day=v["day"],
            agreed=v["agreed_name"] or "",
            performer=v["performer_name"] or "",
        )
        for v in values
    ]

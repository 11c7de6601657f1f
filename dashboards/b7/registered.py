"""The registered data Bijlage 7 counts: participants and, per stay, what
was registered for them.
"""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

from django.db.models import Q, QuerySet

from dashboards.b7.definition import _row_vars
from dashboards.b7.results import Participants
from dashboards.scope import Scope
from evaluation.models import MOMENT_ORDER, TAKEN, Answer, Item
from partners.models import CaseRole
from trajectories.models import (
    Activity,
    Employment,
    Incident,
    IndividualPlan,
    JobOrigin,
    JobSearchActivity,
    Stay,
)


def participant_stays(scope: Scope) -> QuerySet[Stay]:
    """Participants (not regular detainees on KV places) in the KV in the period."""
    period = scope.period
    return (
        Stay.objects.filter(
            site_id__in=scope.site_ids, participant=True, placed_on__lte=period.end
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=period.start))
        .order_by()
    )


def _participants(scope: Scope) -> Participants:
    end = scope.period.end
    found = Participants()
    for stay_id, person_id, born, placed, ended in participant_stays(scope).values_list(
        "pk", "person_id", "person__date_of_birth", "placed_on", "ended_on"
    ):
        found.stay_ids.append(stay_id)
        found.person_ids.append(person_id)
        found.ages.append(
            placed.year
            - born.year
            - ((placed.month, placed.day) < (born.month, born.day))
        )
        found.days.append(((ended if ended and ended <= end else end) - placed).days)
        found.placed_on.append(placed)
        found.ended_on.append(ended)
    return found


def _decode(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class Registered:
    """What the rows count, read once for all rows: one query per kind of
    registration (items, answers, incidents, job search, jobs), however many
    rows use it."""

    def __init__(
        self,
        scope: Scope,
        stays: QuerySet[Stay],
        participants: Participants,
    ):
        self.scope = scope
        self.stays = stays
        #: the rows of ``stays``, read once
        self.participants = participants
        self.stay_ids = set(participants.stay_ids)

    @cached_property
    def items(self) -> dict[int, str]:
        # Item ids first: most sites' catalogues lack the rows' variables, and
        # a join from answers to items by name would scan every answer.
        return dict(
            Item.objects.filter(
                var__in=_row_vars(), catalogue__site_id__in=self.scope.site_ids
            ).values_list("pk", "var")
        )

    @property
    def asked_vars(self) -> set[str]:
        return set(self.items.values())

    @cached_property
    def latest_answers(self) -> dict[str, list[tuple[int, Any, str]]]:
        """Per variable (stay, value, missing reason) of each stay's latest
        measurement that was taken: a row describes the stay as it ended up,
        so an earlier "yes" does not count. Latest means last in the schedule
        (nulmeting, tussenmeting 1, 2, ..., eindmeting, namentingen), the
        same on every database; cancelled and never-taken measurements hold
        nothing."""
        if not self.items:
            return {}
        latest: dict[tuple[int, str], tuple[tuple[int, int], Any, str]] = {}
        for stay, item, value, reason, moment, sequence in (
            Answer.objects.filter(
                item_id__in=list(self.items),
                measurement__stay__in=self.stays,
                measurement__status__in=TAKEN,
            )
            .order_by()
            .values_list(
                "measurement__stay_id",
                "item_id",
                "value",
                "missing_reason",
                "measurement__moment",
                "measurement__sequence",
            )
        ):
            key = (stay, self.items[item])
            rank = (MOMENT_ORDER.get(moment, len(MOMENT_ORDER)), sequence)
            if key not in latest or rank >= latest[key][0]:
                latest[key] = (rank, _decode(value), reason)
        found: dict[str, list[tuple[int, Any, str]]] = {}
        for (stay, var), (_rank, value, reason) in latest.items():
            found.setdefault(var, []).append((stay, value, reason))
        return found

    def answers(self, row: dict[str, Any]) -> list[tuple[int, str, Any, str]]:
        return [
            (stay, var, value, reason)
            for var in row["vars"]
            for stay, value, reason in self.latest_answers.get(var, [])
        ]

    @staticmethod
    def _grouped(rows: Any) -> dict[str, set[int]]:
        found: dict[str, set[int]] = {}
        for key, stay in rows:
            group = found.get(key)
            if group is None:
                group = found[key] = set()
            group.add(stay)
        return found

    @cached_property
    def incidents(self) -> dict[str, set[int]]:
        return self._grouped(
            Incident.objects.filter(stay__in=self.stays)
            .order_by()
            .values_list("kind", "stay_id")
            .distinct()
        )

    @cached_property
    def job_search_used(self) -> dict[str, set[int]]:
        return self._grouped(
            JobSearchActivity.objects.filter(stay__in=self.stays, used=True)
            .order_by()
            .values_list("kind", "stay_id")
            .distinct()
        )

    @cached_property
    def plans(self) -> dict[int, dict[str, Any]]:
        """Per stay with an individual plan: its registered fields."""
        return {
            row["stay_id"]: row
            for row in IndividualPlan.objects.filter(stay__in=self.stays)
            .order_by()
            .values("stay_id", "written_by_detainee")
        }

    @cached_property
    def partner_roles(self) -> dict[str, set[int]]:
        """Per kind of role, the stays during which someone held it."""
        found: dict[str, set[int]] = {}
        end = self.scope.period.end
        read = self.participants
        stays = {
            stay: (person, placed, ended or end)
            for stay, person, placed, ended in zip(
                read.stay_ids,
                read.person_ids,
                read.placed_on,
                read.ended_on,
                strict=True,
            )
        }
        people = {person for person, _placed, _ended in stays.values()}
        by_person: dict[int, list[tuple[str, Any, Any]]] = {}
        for person, role, started, ended in (
            CaseRole.objects.filter(person_id__in=people)
            .order_by()
            .values_list("person_id", "role", "started_on", "ended_on")
        ):
            by_person.setdefault(person, []).append((role, started, ended))
        for stay, (person, placed, last) in stays.items():
            for role, started, ended in by_person.get(person, []):
                if started <= last and (ended is None or ended >= placed):
                    found.setdefault(role, set()).add(stay)
        return found

    @cached_property
    def activity_partner_kinds(self) -> dict[str, set[int]]:
        """Per kind of organisation, the stays whose plan has an activity that
        partner is responsible for."""
        return self._grouped(
            Activity.objects.filter(
                goal__plan__stay__in=self.stays,
                responsible_organisation__isnull=False,
            )
            .order_by()
            .values_list("responsible_organisation__kind", "goal__plan__stay_id")
            .distinct()
        )

    @cached_property
    def jobs_found(self) -> dict[str, set[int]]:
        return self._grouped(
            Employment.objects.filter(stay__in=self.stays, origin=JobOrigin.FOUND)
            .order_by()
            .values_list("pay_kind", "stay_id")
            .distinct()
        )

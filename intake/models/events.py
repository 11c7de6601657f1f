"""Stage events (a stage recorded for a case) and the stage-reach summary
per case that every write of them keeps exact in the same transaction.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from functools import reduce
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import raise_if
from core.db import insert_from_select
from core.fields import FactDateField
from core.scoping import SiteScopedQuerySet
from intake.models.cases import IntakeCase, check_not_before_case
from intake.models.choices import (
    PASSED_KIND_BITS,
    PASSED_OUTCOMES,
    StageKind,
    StageOutcome,
)
from intake.models.processes import IntakeStageDefinition
from partners.models import (
    OrganisationTakeOver,
    agreed_and_performing_organisations,
)

#: the fields of a stage event that ``CaseStageReach`` depends on
REACH_EVENT_FIELDS = frozenset({"case", "case_id", "stage", "stage_id", "outcome"})


class StageEventQuerySet(SiteScopedQuerySet):
    """Stage events. Every write through the ORM keeps ``CaseStageReach``
    exact in the same transaction: ``StageEvent.save``/``delete`` and the
    bulk paths here (``bulk_create``, ``update`` - which ``bulk_update``
    runs - and ``delete``) recount the cases they touch
    (``refresh_stage_reach``)."""

    def reach_per_case(self) -> models.QuerySet:
        """Per case of these events: ``case_id``, ``furthest_order`` (the
        highest order of a stage recorded) and ``passed_kinds`` (the bits of
        the kinds with a stage passed): the one count ``CaseStageReach``
        stores and ``intake.selectors.stage_reach_drift`` checks."""
        passed = [
            models.Max(
                models.Case(
                    models.When(
                        stage__kind=kind,
                        outcome__in=PASSED_OUTCOMES,
                        then=models.Value(bit),
                    ),
                    default=models.Value(0),
                    output_field=models.IntegerField(),
                )
            )
            for kind, bit in PASSED_KIND_BITS.items()
        ]
        return (
            self.order_by()
            .values("case_id")
            .annotate(
                furthest_order=models.Max("stage__order"),
                passed_kinds=reduce(operator.add, passed),
            )
        )

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> Any:
        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            refresh_stage_reach({event.case_id for event in created})
        return created

    def update(self, **kwargs: Any) -> int:
        if not REACH_EVENT_FIELDS & set(kwargs):
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            before = dict(self.values_list("pk", "case_id"))
            count = super().update(**kwargs)
            after = StageEvent.objects.filter(pk__in=list(before)).values_list(
                "case_id", flat=True
            )
            refresh_stage_reach({*before.values(), *after})
        return count

    def delete(self) -> tuple[int, dict[str, int]]:
        with transaction.atomic(using=self.db):
            case_ids = set(self.values_list("case_id", flat=True))
            deleted = super().delete()
            refresh_stage_reach(case_ids)
        return deleted


class StageEvent(OrganisationTakeOver, models.Model):
    """A stage reached by a case: date, who recorded it and the outcome.

    Deliberately without free text: stage outcomes are coded, and pre-scan
    partners share no content. Saving or deleting one recounts its case's
    ``CaseStageReach`` in the same transaction.
    """

    site_lookup = "case__site"
    person_lookup = "case__person"

    case = models.ForeignKey(
        IntakeCase,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("case"),
    )
    stage = models.ForeignKey(
        IntakeStageDefinition,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("stage"),
    )
    occurred_on = FactDateField(_("date"))
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=StageOutcome.choices
    )
    agreed_organisation, performing_organisation = agreed_and_performing_organisations()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = StageEventQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["occurred_on", "pk"]
        verbose_name = _("stage event")
        verbose_name_plural = _("stage events")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "stage"], name="stage_event_once_per_case"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stage}: {self.get_outcome_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saved, and its case's ``CaseStageReach`` recounted in the same
        transaction (also the case it moved from, should it move)."""
        fields = kwargs.get("update_fields")
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            if fields is None or REACH_EVENT_FIELDS & set(fields):
                stored = getattr(self, "_stored_case_id", None)
                refresh_stage_reach({self.case_id, stored} - {None})
        self._stored_case_id = self.case_id

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        with transaction.atomic(using=kwargs.get("using")):
            deleted = super().delete(*args, **kwargs)
            refresh_stage_reach({self.case_id})
        return deleted

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Any:
        event = super().from_db(db, field_names, values)
        event._stored_case_id = event.__dict__.get("case_id")
        return event

    @property
    def passed(self) -> bool:
        return self.outcome != StageOutcome.NEGATIVE

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        case = self.case if self.case_id else None
        check_not_before_case(errors, case, field="occurred_on", value=self.occurred_on)
        raise_if(errors)


class CaseStageReach(models.Model):
    """How far an intake case got, counted from its stage events: the
    summary the funnel and the dashboards count instead of joining every
    case with all its events (``intake.selectors.stage_reach``).

    One row per case with at least one stage recorded; a case without a row
    has none (furthest -1, nothing passed). Derived data, never edited:
    ``refresh_stage_reach`` rewrites it from the events in the transaction
    that changes them (``StageEvent.save``/``delete``, the bulk paths of
    ``StageEventQuerySet`` and a changed order or kind of a stage
    definition). ``manage.py check_stage_reach`` reports any drift from a
    recount. A separate table rather than columns on ``IntakeCase``: case
    saves (a stale form, a history revert) can never overwrite it, and case
    history does not fill with recounts.
    """

    case = models.OneToOneField(
        IntakeCase,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="stage_reach",
        verbose_name=_("case"),
    )
    #: the highest ``IntakeStageDefinition.order`` among the case's events,
    #: whatever their outcome
    furthest_order = models.PositiveSmallIntegerField(_("furthest stage order"))
    #: per ``StageKind`` one bit (``PASSED_KIND_BITS``): set when a stage of
    #: that kind was recorded with an outcome in ``PASSED_OUTCOMES``
    passed_kinds = models.PositiveIntegerField(_("kinds of stage passed"))

    class Meta:
        verbose_name = _("stage reach of a case")
        verbose_name_plural = _("stage reach of cases")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.furthest_order}/{self.passed_kinds}"

    @property
    def passed_kind_codes(self) -> list[str]:
        """The kinds of stage passed, in ``StageKind`` order."""
        return [
            kind
            for kind in StageKind.values
            if self.passed_kinds & PASSED_KIND_BITS[kind]
        ]


#: cases recounted per statement (well under SQLite's parameter limit)
REFRESH_BATCH = 2000


def refresh_stage_reach(case_ids: Iterable[int] | models.QuerySet) -> None:
    """Recount ``CaseStageReach`` of the given cases from their stage events.

    ``case_ids``: ids, or a queryset of case ids (``values("case_id")``).
    Set-based: the cases are locked (so a concurrent recount of the same
    case waits and then sees this one's events), their rows deleted and
    rewritten by one ``INSERT ... SELECT`` of the grouped events per batch
    of ``REFRESH_BATCH`` cases: three statements per batch, whatever the
    number of events. Runs in the caller's transaction (or its own).
    """
    if not isinstance(case_ids, models.QuerySet):
        case_ids = [pk for pk in set(case_ids) if pk is not None]
        if not case_ids:
            return
    with transaction.atomic():
        locked = list(
            IntakeCase.objects.filter(pk__in=case_ids)
            .order_by("pk")
            .select_for_update(no_key=True)
            .values_list("pk", flat=True)
        )
        for start in range(0, len(locked), REFRESH_BATCH):
            batch = locked[start : start + REFRESH_BATCH]
            CaseStageReach.objects.filter(case_id__in=batch).delete()
            insert_from_select(
                CaseStageReach,
                ("case_id", "furthest_order", "passed_kinds"),
                StageEvent.objects.filter(case_id__in=batch).reach_per_case(),
            )

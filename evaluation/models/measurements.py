"""Measurements of a stay and their answers, with the status and timing
of a measurement.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.manager import SIMPLE_HISTORY_REVERSE_ATTR_NAME, HistoryManager
from simple_history.models import HistoricalRecords

from core.fields import FactDateField, PlannedDateField
from core.scoping import SiteScopedQuerySet
from evaluation.models.catalogue import CatalogueVersion, Item, MissingReason, Moment

if TYPE_CHECKING:
    from evaluation.models.kv import KvAnswer


class MeasurementStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    IN_PROGRESS = "in_progress", _("in progress")
    COMPLETE = "complete", _("complete (locked)")
    CANCELLED = "cancelled", _("cancelled (schedule adjusted)")
    NOT_TAKEN = "not_taken", _("not taken (registered afterwards)")


#: measurements that hold no data and never will unless someone enters it
#: afterwards: never on a to-do list, never in an export
WITHOUT_DATA = (MeasurementStatus.CANCELLED, MeasurementStatus.NOT_TAKEN)
#: measurements a research export holds: something was entered
TAKEN = (MeasurementStatus.IN_PROGRESS, MeasurementStatus.COMPLETE)


class Timing(models.TextChoices):
    """Where a measurement stands on a day: its status read with its window.

    The schedule lists, the completeness grid and the person page all show
    this, so one measurement reads the same everywhere.
    """

    DUE = "due", _("due")
    OVERDUE = "overdue", _("overdue")
    INCOMPLETE = "incomplete", _("not completed, window closed")
    MISSED = "missed", _("missed")
    UPCOMING = "upcoming", _("upcoming")
    WAITING = "waiting", _("waiting for outflow")
    DONE = "done", _("complete")
    CANCELLED = "cancelled", _("cancelled")
    NOT_TAKEN = "not_taken", _("not taken (registered afterwards)")


TIMING_HELP = {
    Timing.DUE: _("The window is open and the due date has not passed."),
    Timing.OVERDUE: _("The due date has passed; the window is still open."),
    Timing.INCOMPLETE: _(
        "The window has closed; answers were entered but the measurement was "
        "never completed. Complete it, giving a reason for each item left open."
    ),
    Timing.MISSED: _("The window has closed and nothing was entered."),
    Timing.UPCOMING: _("The window has not opened yet."),
    Timing.WAITING: _("The date follows from the outflow date, not known yet."),
    Timing.DONE: _("Completed and locked; reopen it, with a reason, to change it."),
    Timing.CANCELLED: _("No longer needed after the schedule changed."),
    Timing.NOT_TAKEN: _(
        "Its window had already closed when the stay, placement or outflow was "
        "registered, so it was never asked. It can still be filled in afterwards."
    ),
}


class MeasurementRecord(models.Model):
    """What a measurement of a person (``Measurement``) and of a KV as a
    whole (``KvMeasurement``) both record: how far it is, who completed it,
    and the version its optimistic lock compares."""

    status = models.CharField(
        _("status"),
        max_length=20,
        choices=MeasurementStatus.choices,
        default=MeasurementStatus.PLANNED,
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("completed by"),
    )
    version = models.PositiveIntegerField(
        default=1, editable=False, verbose_name=_("version")
    )

    class Meta:
        abstract = True

    @property
    def is_locked(self) -> bool:
        return self.status == MeasurementStatus.COMPLETE


class Measurement(MeasurementRecord):
    """One scheduled measurement moment of one stay."""

    site_lookup = "stay__site"
    person_lookup = "stay__person"

    stay = models.ForeignKey(
        "trajectories.Stay",
        on_delete=models.PROTECT,
        related_name="measurements",
        verbose_name=_("stay"),
    )
    catalogue = models.ForeignKey(
        CatalogueVersion,
        on_delete=models.PROTECT,
        related_name="measurements",
        verbose_name=_("catalogue version"),
    )
    moment = models.CharField(_("moment"), max_length=20, choices=Moment.choices)
    sequence = models.PositiveSmallIntegerField(
        _("sequence"),
        default=0,
        help_text=_("Number of the tussenmeting, or months after outflow."),
    )
    due_on = PlannedDateField(_("due on"), null=True, blank=True)
    window_start = PlannedDateField(_("window opens"), null=True, blank=True)
    window_end = PlannedDateField(_("window closes"), null=True, blank=True)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["stay", "due_on", "pk"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        constraints = [
            models.UniqueConstraint(
                fields=["stay", "moment", "sequence"],
                name="measurement_unique_moment_per_stay",
            ),
            models.CheckConstraint(
                condition=Q(window_end__isnull=True)
                | Q(window_start__isnull=True)
                | Q(window_end__gte=models.F("window_start")),
                name="measurement_window_end_after_start",
            ),
        ]
        indexes = [
            # the due / overdue / missed lists filter open moments by window
            models.Index(fields=["status", "window_end"], name="measurement_open"),
            # dashboards and case lists count the measurements due in a period
            models.Index(fields=["due_on"], name="measurement_due"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.moment == Moment.TUSSENMETING:
            return f"tussenmeting {self.sequence}"
        if self.moment == Moment.NAMETING:
            return str(_("nameting %(months)s months")) % {"months": self.sequence}
        return self.moment

    @property
    def column_key(self) -> str:
        return f"{self.moment}-{self.sequence}"

    def timing_on(self, day: datetime.date) -> str:
        """Where the measurement stands on ``day``: a ``Timing`` value."""
        if self.status == MeasurementStatus.COMPLETE:
            return Timing.DONE
        if self.status == MeasurementStatus.CANCELLED:
            return Timing.CANCELLED
        if self.status == MeasurementStatus.NOT_TAKEN:
            return Timing.NOT_TAKEN
        if self.due_on is None or self.window_start is None:
            return Timing.WAITING
        if day < self.window_start:
            return Timing.UPCOMING
        if day <= self.due_on:
            return Timing.DUE
        if self.window_end is None or day <= self.window_end:
            return Timing.OVERDUE
        if self.status == MeasurementStatus.IN_PROGRESS:
            return Timing.INCOMPLETE
        return Timing.MISSED


class _AnswerHistoryManager(HistoryManager):
    """History of answers with their item and owner read in the same query.

    The person history page prints every record (see ``answer_repr``); without
    this it would fetch the item and the measurement once per record.
    """

    owner_field = "measurement"

    def get_super_queryset(self) -> models.QuerySet:
        return super().get_super_queryset().select_related("item", self.owner_field)


def answer_repr(answer: Answer | KvAnswer, owner_field: str) -> str:
    """An answer as a person reads it in a history line: the item's text
    (shortened), the moment, and the value or the reason it is missing."""
    # A copy rebuilt from a history record carries that record, whose item
    # and owner the history manager has already read.
    source = getattr(answer, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None) or answer
    item = source.item
    owner = getattr(source, owner_field)
    if answer.has_value:
        shown = Truncator(item.display(answer.value)).chars(60)
    elif answer.missing_reason:
        shown = gettext("missing: %(reason)s") % {
            "reason": answer.get_missing_reason_display()
        }
    else:
        shown = "-"
    return gettext("%(item)s (%(moment)s): %(value)s") % {
        "item": Truncator(item.text).chars(60),
        "moment": owner.label,
        "value": shown,
    }


class AnswerRecord(models.Model):
    """What an answer of a person's measurement (``Answer``) and of a KV-level
    measurement (``KvAnswer``) both hold: a value, or the reason it is
    missing (never both: ``value_or_missing_reason``)."""

    value = models.JSONField(_("value"), null=True, blank=True)
    missing_reason = models.CharField(
        _("reason the value is missing"),
        max_length=20,
        choices=MissingReason.choices,
        blank=True,
    )

    class Meta:
        abstract = True

    @staticmethod
    def value_or_missing_reason(name: str) -> models.CheckConstraint:
        """The rule as a CHECK; ``name`` is the model's own constraint name."""
        return models.CheckConstraint(
            condition=Q(value__isnull=True) | Q(missing_reason=""), name=name
        )

    @property
    def has_value(self) -> bool:
        return self.value not in (None, "", [])


class Answer(AnswerRecord):
    """The value of one item in one measurement; a gap carries its reason."""

    site_lookup = "measurement__stay__site"
    person_lookup = "measurement__stay__person"

    measurement = models.ForeignKey(
        Measurement,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("measurement"),
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="answers", verbose_name=_("item")
    )
    reason_text = models.TextField(_("if no: reason why not"), blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    checked_on = FactDateField(_("date checked"), null=True, blank=True)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords(history_manager=_AnswerHistoryManager)

    class Meta:
        ordering = ["measurement", "item__order"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["measurement", "item"], name="answer_unique_item"
            ),
            AnswerRecord.value_or_missing_reason("answer_value_or_missing_reason"),
        ]

    def __str__(self) -> str:
        return answer_repr(self, "measurement")

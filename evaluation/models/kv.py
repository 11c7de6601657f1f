"""KV-level measurements (interview topics per period) and their answers."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.fields import FactDateField, PlannedDateField
from core.models import Site
from core.scoping import SiteScopedQuerySet
from evaluation.models.catalogue import CatalogueVersion, Item
from evaluation.models.measurements import (
    AnswerRecord,
    MeasurementRecord,
    _AnswerHistoryManager,
    answer_repr,
)


class _KvAnswerHistoryManager(_AnswerHistoryManager):
    owner_field = "kv_measurement"


class KvMeasurement(MeasurementRecord):
    """Interview topics about the KV as a whole, for one site and period."""

    site_lookup = "site"

    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        related_name="kv_measurements",
        verbose_name=_("site"),
    )
    catalogue = models.ForeignKey(
        CatalogueVersion,
        on_delete=models.PROTECT,
        related_name="kv_measurements",
        verbose_name=_("catalogue"),
    )
    period_start = PlannedDateField(_("period from"))
    period_end = PlannedDateField(_("period until"))

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["site", "-period_start"]
        verbose_name = _("KV-level measurement")
        verbose_name_plural = _("KV-level measurements")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="kv_measurement_period_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["site", "period_start", "period_end"],
                name="kv_measurement_unique_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site.code} {self.period_start} - {self.period_end}"

    @property
    def label(self) -> str:
        return f"{self.period_start:%d-%m-%Y} - {self.period_end:%d-%m-%Y}"


class KvAnswer(AnswerRecord):
    """A KV-level item: a structured value plus the interview text."""

    site_lookup = "kv_measurement__site"

    kv_measurement = models.ForeignKey(
        KvMeasurement,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("kv measurement"),
    )
    item = models.ForeignKey(
        Item,
        on_delete=models.PROTECT,
        related_name="kv_answers",
        verbose_name=_("item"),
    )
    reason_text = models.TextField(_("interview notes"), blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    checked_on = FactDateField(_("date checked"), null=True, blank=True)
    # A code of fixtures/reference/respondent_groups.yaml; empty = not
    # specified (every answer given before the groups existed).
    respondent_group = models.CharField(
        _("respondent group"), max_length=40, blank=True
    )

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords(history_manager=_KvAnswerHistoryManager)

    class Meta:
        ordering = ["kv_measurement", "respondent_group", "item__order"]
        verbose_name = _("KV-level answer")
        verbose_name_plural = _("KV-level answers")
        constraints = [
            models.UniqueConstraint(
                fields=["kv_measurement", "item", "respondent_group"],
                name="kv_answer_unique_item_per_group",
            ),
            AnswerRecord.value_or_missing_reason("kv_answer_value_or_missing_reason"),
        ]

    def __str__(self) -> str:
        return answer_repr(self, "kv_measurement")

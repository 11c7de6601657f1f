"""The coded reasons a case ended without placement."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import Criterion
from core.scoping import SiteScopedQuerySet
from intake.models.cases import IntakeCase
from intake.models.choices import EndReasonCode, PrescanPartner
from intake.models.processes import IntakeStageDefinition


class CaseEndReason(models.Model):
    """A coded reason for a case's end (several may apply)."""

    site_lookup = "case__site"
    person_lookup = "case__person"

    case = models.ForeignKey(
        IntakeCase,
        on_delete=models.CASCADE,
        related_name="end_reasons",
        verbose_name=_("case"),
    )
    code = models.CharField(_("reason"), max_length=30, choices=EndReasonCode.choices)
    criterion = models.ForeignKey(
        Criterion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("criterion not met"),
    )
    prescan_partner = models.CharField(
        _("objecting pre-scan partner"),
        max_length=20,
        choices=PrescanPartner.choices,
        blank=True,
    )
    stage = models.ForeignKey(
        IntakeStageDefinition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("stage"),
    )

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "pk"]
        verbose_name = _("end reason")
        verbose_name_plural = _("end reasons")
        constraints = [
            models.CheckConstraint(
                condition=~Q(code="criterion_not_met") | Q(criterion__isnull=False),
                name="end_reason_criterion_named",
            ),
            models.CheckConstraint(
                condition=~Q(code="prescan_objection") | ~Q(prescan_partner=""),
                name="end_reason_prescan_partner_named",
            ),
        ]

    def __str__(self) -> str:
        return self.get_code_display()

"""The documents an intake stage produces for a case."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import raise_if
from core.fields import FactDateField
from core.scoping import SiteScopedQuerySet
from intake.models.cases import IntakeCase, check_not_before_case
from intake.models.processes import IntakeStageDefinition


class CaseDocument(models.Model):
    """A document or advice received for a case (registered, not stored)."""

    site_lookup = "case__site"
    person_lookup = "case__person"

    case = models.ForeignKey(
        IntakeCase,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("case"),
    )
    stage = models.ForeignKey(
        IntakeStageDefinition,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("stage"),
    )
    document_code = models.SlugField(_("document"), max_length=40)
    received_on = FactDateField(_("received on"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["received_on", "pk"]
        verbose_name = _("document or advice")
        verbose_name_plural = _("documents and advice")

    def __str__(self) -> str:
        return self.stage.document_name(self.document_code)

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        case = self.case if self.case_id else None
        check_not_before_case(errors, case, field="received_on", value=self.received_on)
        raise_if(errors)

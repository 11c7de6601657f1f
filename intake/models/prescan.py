"""The pre-scan: each partner's answer on an intake case."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import raise_if
from core.fields import FactDateField
from core.scoping import SiteScopedQuerySet
from intake.models.cases import IntakeCase, check_not_before_case
from intake.models.choices import PrescanPartner
from partners.models import (
    OrganisationTakeOver,
    agreed_and_performing_organisations,
)


class PrescanAnswer(OrganisationTakeOver, models.Model):
    """A pre-scan partner's answer: only whether it objects.

    No text field on purpose: the report states that no content is shared
    ("Er wordt geen inhoudelijke informatie gedeeld", L2148-2149).
    """

    site_lookup = "case__site"
    person_lookup = "case__person"

    case = models.ForeignKey(
        IntakeCase,
        on_delete=models.CASCADE,
        related_name="prescan_answers",
        verbose_name=_("case"),
    )
    partner = models.CharField(
        _("partner"), max_length=20, choices=PrescanPartner.choices
    )
    asked_on = FactDateField(_("asked on"))
    answered_on = FactDateField(_("answered on"))
    objection = models.BooleanField(_("objection"))
    agreed_organisation, performing_organisation = agreed_and_performing_organisations()
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
        ordering = ["case", "partner"]
        verbose_name = _("pre-scan answer")
        verbose_name_plural = _("pre-scan answers")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "partner"], name="prescan_answer_once_per_partner"
            ),
            models.CheckConstraint(
                condition=Q(answered_on__gte=models.F("asked_on")),
                name="prescan_answered_after_asked",
            ),
        ]

    def __str__(self) -> str:
        return self.get_partner_display()

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        case = self.case if self.case_id else None
        check_not_before_case(errors, case, field="asked_on", value=self.asked_on)
        check_not_before_case(errors, case, field="answered_on", value=self.answered_on)
        raise_if(errors)

"""The admission checklist: the result of each criterion for a case."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import raise_if
from core.fields import FactDateField
from core.models import Criterion
from core.scoping import SiteScopedQuerySet
from intake.models.cases import IntakeCase, check_not_before_case


class CheckResult(models.TextChoices):
    MET = "met", _("met")
    NOT_MET = "not_met", _("not met")
    EXCEPTION = "exception", _("not met, exception granted")


class CriterionCheck(models.Model):
    """One line of the criteria checklist of a case's criteria version."""

    site_lookup = "case__site"
    person_lookup = "case__person"

    case = models.ForeignKey(
        IntakeCase,
        on_delete=models.CASCADE,
        related_name="criterion_checks",
        verbose_name=_("case"),
    )
    criterion = models.ForeignKey(
        Criterion,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("criterion"),
    )
    result = models.CharField(_("result"), max_length=20, choices=CheckResult.choices)
    exception_reason = models.TextField(_("reason for the exception"), blank=True)
    checked_on = FactDateField(_("checked on"))
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
        ordering = ["case", "criterion__order"]
        verbose_name = _("criterion check")
        verbose_name_plural = _("criterion checks")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "criterion"], name="criterion_check_once_per_case"
            ),
            models.CheckConstraint(
                condition=~Q(result="exception") | ~Q(exception_reason=""),
                name="criterion_exception_has_reason",
            ),
        ]

    def __str__(self) -> str:
        text = Truncator(self.criterion.text).words(6)
        return f"{text}: {self.get_result_display()}"

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        case = self.case if self.case_id else None
        check_not_before_case(errors, case, field="checked_on", value=self.checked_on)
        raise_if(errors)

"""The steps after placement: their definitions per site and the steps
of a stay.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import day_text, raise_if
from core.fields import FactDateField
from core.models import Site
from core.scoping import SiteScopedQuerySet
from trajectories.models.stays import Stay, check_within_stay


class StayStepDefinition(models.Model):
    """A step of a site's process that follows the placement (Amsterdam's
    start meeting in the PI-BW after DIZ placed the detainee, report
    L1249-1251). Reference data from ``fixtures/reference/plans.yaml``."""

    site_lookup = "site"

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="stay_step_definitions",
        verbose_name=_("site"),
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    performer_role = models.CharField(_("performed by (role)"), max_length=300)
    performer_organisation = models.CharField(
        _("performed by (organisation)"), max_length=300, blank=True
    )
    description = models.TextField(_("description"), blank=True)
    report_lines = models.CharField(_("report lines"), max_length=100, blank=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["site", "order"]
        verbose_name = _("step after placement")
        verbose_name_plural = _("steps after placement")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "code"], name="stay_step_definition_unique_code"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StayStep(models.Model):
    """A step after placement that took place for one stay."""

    site_lookup = "stay__site"
    person_lookup = "stay__person"

    stay = models.ForeignKey(
        Stay, on_delete=models.CASCADE, related_name="steps", verbose_name=_("stay")
    )
    definition = models.ForeignKey(
        StayStepDefinition,
        on_delete=models.PROTECT,
        related_name="steps",
        verbose_name=_("step"),
    )
    occurred_on = FactDateField(_("date"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["stay", "definition__order"]
        verbose_name = _("step after placement taken")
        verbose_name_plural = _("steps after placement taken")
        constraints = [
            models.UniqueConstraint(
                fields=["stay", "definition"], name="stay_step_once_per_stay"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.definition} {day_text(self.occurred_on)}"

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        check_within_stay(
            errors,
            self.stay if self.stay_id else None,
            field="occurred_on",
            value=self.occurred_on,
        )
        raise_if(errors)

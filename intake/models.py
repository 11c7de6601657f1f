"""Intake: one case per candidate per site, from entry to a coded end."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import CriteriaVersion, Person, Site
from core.scoping import SiteScopedQuerySet


class IntakeOutcome(models.TextChoices):
    OPEN = "open", _("open")
    PLACED = "placed", _("placed")
    REJECTED = "rejected", _("rejected")
    DECLINED = "declined", _("declined by the candidate")
    WITHDRAWN = "withdrawn", _("withdrawn")
    HANDED_BACK = "handed_back", _("handed back")
    WAITLISTED = "waitlisted", _("waitlisted")


class IntakeCase(models.Model):
    site_lookup = "site"
    person_lookup = "person"

    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="intake_cases"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="intake_cases"
    )
    criteria_version = models.ForeignKey(
        CriteriaVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("criteria version applied"),
    )
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    outcome = models.CharField(
        _("outcome"),
        max_length=20,
        choices=IntakeOutcome.choices,
        default=IntakeOutcome.OPEN,
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_on", "-pk"]
        verbose_name = _("intake case")
        verbose_name_plural = _("intake cases")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True)
                | models.Q(closed_on__gte=models.F("opened_on")),
                name="intake_case_closed_after_opened",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('intake')} #{self.pk} ({self.opened_on})"

    def get_absolute_url(self) -> str:
        return reverse("intake:case_detail", args=[self.pk])

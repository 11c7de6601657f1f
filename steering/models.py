"""Steering and case meetings, and the target-group forecast of a site.

The report's obstacle A (the target group was smaller than expected, L4960-4963)
and lesson 3 (monitor progress together with the partners, L5010-5016) need a
place: the project plan's expected inflow per site (``ForecastVersion``,
versioned like the criteria) and the meetings where partners steer
(``Meeting`` with its decisions and follow-up actions). The kinds of meeting
are reference data per site (``fixtures/reference/steering.yaml``).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import day_text
from core.fields import FactDateField, PlannedDateField
from core.models import CriteriaVersion, Site, SiteVersion
from core.scoping import SiteScopedQuerySet
from intake.models import IntakeCase, IntakeProcessVersion
from partners.models import Organisation

#: used for a site without its own alert rule (fixtures/reference/steering.yaml)
DEFAULT_ALERT_SHARE_PERCENT = 50
DEFAULT_ALERT_MONTHS = 3


class MeetingKind(models.Model):
    """A kind of meeting a site holds (stuurgroep, kernteam, casusoverleg)."""

    site_lookup = "site"

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="meeting_kinds",
        verbose_name=_("site"),
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    frequency = models.CharField(_("how often"), max_length=100, blank=True)
    report_lines = models.CharField(_("report lines"), max_length=50, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["site", "order", "name"]
        verbose_name = _("kind of meeting")
        verbose_name_plural = _("kinds of meeting")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "code"], name="meeting_kind_unique_code_per_site"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Meeting(models.Model):
    """One meeting of a site: when, which kind, who attended, what notes."""

    site_lookup = "site"

    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("site")
    )
    kind = models.ForeignKey(
        MeetingKind,
        on_delete=models.PROTECT,
        related_name="meetings",
        verbose_name=_("kind of meeting"),
    )
    held_on = FactDateField(_("date"))
    organisations = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="meetings",
        verbose_name=_("organisations present"),
    )
    other_attendees = models.CharField(
        _("other attendees"),
        max_length=300,
        blank=True,
        help_text=_("Organisations or functions not in the partner list."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [
            # the site's meeting list, newest first
            models.Index(fields=["site", "held_on"], name="meeting_site_held_on"),
        ]

    def __str__(self) -> str:
        return f"{self.kind.name} {day_text(self.held_on)}"

    def get_absolute_url(self) -> str:
        return reverse("steering:meeting_detail", args=[self.pk])


class Decision(models.Model):
    """A decision taken in a meeting, with what it caused."""

    site_lookup = "meeting__site"

    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        related_name="decisions",
        verbose_name=_("meeting"),
    )
    text = models.TextField(_("decision"))
    criteria_version = models.ForeignKey(
        CriteriaVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("criteria version it caused"),
    )
    process_version = models.ForeignKey(
        IntakeProcessVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("intake process version it caused"),
    )
    cases = models.ManyToManyField(
        IntakeCase,
        blank=True,
        related_name="+",
        verbose_name=_("intake cases"),
    )
    history = HistoricalRecords()

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "pk"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return self.text[:80]


class Action(models.Model):
    """A follow-up action of a meeting: who does what by when."""

    site_lookup = "meeting__site"

    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        related_name="actions",
        verbose_name=_("meeting"),
    )
    decision = models.ForeignKey(
        Decision,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("decision"),
    )
    description = models.TextField(_("action"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="steering_actions",
        verbose_name=_("owner"),
    )
    due_on = PlannedDateField(_("due date"))
    done_on = FactDateField(_("done on"), null=True, blank=True)
    history = HistoricalRecords()

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        indexes = [
            # open actions on the home page and in the reminder e-mail
            models.Index(fields=["done_on", "due_on"], name="action_open_due"),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    def is_overdue(self, today: datetime.date) -> bool:
        return self.done_on is None and self.due_on < today


class ForecastVersion(SiteVersion):
    """The expected inflow of a site from ``valid_from`` on, per year.

    Taken from the project plan (``source``, ``basis``); a revised estimate is
    a new version, as Middelburg's 150 candidates that became 85 (L4018-4019).
    A figure the plan does not give stays empty and is not compared.
    """

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="forecast_versions",
        verbose_name=_("site"),
    )
    version = models.PositiveSmallIntegerField(_("version"))
    valid_from = PlannedDateField(_("valid from"))
    candidates_per_year = models.PositiveIntegerField(
        _("candidates per year"), null=True, blank=True
    )
    intakes_per_year = models.PositiveIntegerField(
        _("intake cases per year"), null=True, blank=True
    )
    placements_per_year = models.PositiveIntegerField(
        _("placements per year"), null=True, blank=True
    )
    occupancy = models.PositiveIntegerField(
        _("expected occupancy (people in the KV)"), null=True, blank=True
    )
    source = models.CharField(_("source"), max_length=200)
    basis = models.TextField(_("basis of the estimate"))
    report_lines = models.CharField(_("report lines"), max_length=50, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta(SiteVersion.Meta):
        verbose_name = _("forecast version")
        verbose_name_plural = _("forecast versions")
        constraints = [
            SiteVersion.unique_per_site("forecast_unique_version_per_site"),
            models.UniqueConstraint(
                fields=["site", "valid_from"], name="forecast_unique_start_per_site"
            ),
            models.CheckConstraint(
                condition=Q(candidates_per_year__isnull=False)
                | Q(intakes_per_year__isnull=False)
                | Q(placements_per_year__isnull=False)
                | Q(occupancy__isnull=False),
                name="forecast_has_a_figure",
            ),
        ]


class ForecastAlertRule(models.Model):
    """When the dashboard warns that realised inflow stays below the forecast."""

    site_lookup = "site"

    site = models.OneToOneField(
        Site,
        on_delete=models.CASCADE,
        related_name="forecast_alert_rule",
        verbose_name=_("site"),
    )
    share_percent = models.PositiveSmallIntegerField(
        _("warn below this share of the forecast (%)"),
        default=DEFAULT_ALERT_SHARE_PERCENT,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    months = models.PositiveSmallIntegerField(
        _("for this many months in a row"),
        default=DEFAULT_ALERT_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    history = HistoricalRecords()

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("forecast warning rule")
        verbose_name_plural = _("forecast warning rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(share_percent__gte=1, share_percent__lte=100),
                name="forecast_alert_share_in_range",
            ),
            models.CheckConstraint(
                condition=Q(months__gte=1, months__lte=24),
                name="forecast_alert_months_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site.code}: {self.share_percent}% / {self.months}"

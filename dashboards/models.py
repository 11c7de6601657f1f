"""Research exports, built in the background and downloaded when ready."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import day_text
from core.fields import PlannedDateField
from core.jobs import JobFields, JobState
from core.models import Site
from core.scoping import SiteScopedQuerySet, site_ids_for


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel workbook (.xlsx)")
    CSV = "csv", _("CSV files in a zip archive")
    SAV = "sav", _("SPSS files (.sav) in a zip archive")
    DTA = "dta", _("Stata files (.dta) in a zip archive, also for R")


class ExportStatus(models.TextChoices):
    """The job states (core.jobs.JobState) in an export's words."""

    QUEUED = JobState.QUEUED.value, _("queued")
    RUNNING = JobState.RUNNING.value, _("being built")
    DONE = JobState.DONE.value, _("ready")
    FAILED = JobState.FAILED.value, _("failed")


class ExportJobQuerySet(SiteScopedQuerySet):
    def visible_to(self, user: Any, roles: Iterable[str]) -> ExportJobQuerySet:
        """Jobs whose every site is one of the user's; one foreign site hides it.

        An export spans several sites, so seeing one of them is not enough to
        download data about the others.
        """
        allowed = site_ids_for(user, roles)
        return (
            self.filter(sites__in=allowed)
            .exclude(sites__in=Site.objects.exclude(pk__in=allowed))
            .distinct()
        )


class ExportJob(JobFields):
    """One research export: what was asked, how far building it is (the job
    fields of core.jobs), and the file once built."""

    site_lookup = "sites"
    job_state_field = "status"
    job_task = "dashboards.tasks.export_job_run"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    sites = models.ManyToManyField(Site, related_name="+", verbose_name=_("sites"))
    format = models.CharField(_("format"), max_length=10, choices=ExportFormat.choices)
    filters = models.JSONField(_("filters"), default=dict)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ExportStatus.choices,
        default=ExportStatus.QUEUED,
    )
    file = models.FileField(_("file"), upload_to="exports/", blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("research export")
        verbose_name_plural = _("research exports")
        indexes = [
            # the recovery sweep looks for jobs left queued or running
            models.Index(fields=["status", "created_at"], name="export_job_queue"),
        ]

    def __str__(self) -> str:
        return f"{_('export')} #{self.pk} ({self.get_format_display()})"

    def get_absolute_url(self) -> str:
        return reverse("dashboards:export_detail", args=[self.pk])

    def period_text(self) -> str:
        """The requested period as people read dates: 1-1-2020 - 31-12-2020."""
        days = []
        for key in ("start", "end"):
            try:
                days.append(day_text(datetime.date.fromisoformat(self.filters[key])))
            except (KeyError, TypeError, ValueError):
                days.append("-")
        return " - ".join(days)


class MaterialisedFigures(models.Model):
    """The figures of one programme overview, computed by the worker.

    One row per scope: the sites a reader may see, the period, the language
    of the labels and the format of the stored objects. The page reads the
    row instead of computing across every site (see
    ``dashboards.materialised``); the worker recomputes it while people keep
    reading it.
    """

    key = models.CharField(_("key"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=20)
    site_ids = models.JSONField(_("sites"))
    period_start = PlannedDateField(_("period start"))
    period_end = PlannedDateField(_("period end"))
    cases_url = models.CharField(_("case list address"), max_length=200)
    language = models.CharField(_("language"), max_length=10)
    #: fingerprint of the classes stored in ``payload``
    format = models.CharField(_("format"), max_length=16)
    payload = models.BinaryField(_("figures"))
    computed_at = models.DateTimeField(_("computed at"))
    #: how long computing took, in milliseconds
    compute_ms = models.PositiveIntegerField(_("computing time (ms)"), default=0)
    read_at = models.DateTimeField(_("last read at"))
    #: a worker is recomputing the row until then (one worker at a time)
    refreshing_until = models.DateTimeField(
        _("being recomputed until"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("materialised dashboard figures")
        verbose_name_plural = _("materialised dashboard figures")
        indexes = [
            models.Index(fields=["computed_at"], name="dashboards_figures_computed")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period_start}-{self.period_end} ({self.language})"

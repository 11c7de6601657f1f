"""The DJI list import: a batch, its file, status and the cases it opened."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import day_text
from core.fields import FactDateField
from core.jobs import JobFields, JobState
from core.models import Site
from core.scoping import SiteScopedQuerySet
from intake.models.processes import EntryRoute


class ImportKind(models.TextChoices):
    DJI_LIST = "dji_list", _("DJI list of detainees")
    DIZ_CALL_UP = "diz_call_up", _("DIZ call-up list of self-reporters")


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("being checked")
    PREVIEW = "preview", _("awaiting confirmation")
    REFUSED = "refused", _("refused: correct the list")
    APPLYING = "applying", _("being imported")
    APPLIED = "applied", _("applied")


def import_upload_to(instance: ImportBatch, filename: str) -> str:
    day = timezone.localdate()
    return f"intake_imports/{day:%Y/%m}/{filename}"


class ImportBatch(JobFields):
    """An uploaded list, kept with who imported it and what it created.

    Checking and applying it are background work on the task queue
    (``core.jobs``, ``intake.tasks.import_batch_run``): ``status`` says where
    the list stands (being checked, awaiting confirmation, refused, being
    imported, imported), the job fields how that work goes (queued, running
    with rows done of total, done, or failed with the reason).
    """

    site_lookup = "site"
    job_state_field = "job_state"
    job_task = "intake.tasks.import_batch_run"

    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="+", verbose_name=_("site")
    )
    kind = models.CharField(
        _("kind of list"), max_length=20, choices=ImportKind.choices
    )
    entry_route = models.ForeignKey(
        EntryRoute,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entry route"),
    )
    list_date = FactDateField(_("list date"))
    file = models.FileField(_("file"), upload_to=import_upload_to)
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("imported by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ImportStatus.choices,
        default=ImportStatus.PREVIEW,
    )
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    #: the check's result (``intake.importers.ImportCheck.to_json``): pages
    #: show it, never recompute it
    check_result = models.JSONField(_("check result"), default=dict, blank=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    apply_error = models.TextField(_("why the import was refused"), blank=True)
    people_created = models.PositiveIntegerField(_("people created"), default=0)
    people_matched = models.PositiveIntegerField(_("people matched"), default=0)
    cases_opened = models.PositiveIntegerField(_("cases opened"), default=0)
    job_state = models.CharField(
        _("background work"),
        max_length=10,
        choices=JobState.choices,
        default=JobState.DONE,
    )

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("list import")
        verbose_name_plural = _("list imports")

    def __str__(self) -> str:
        return f"{self.original_name} ({day_text(self.uploaded_at)})"

    def get_absolute_url(self) -> str:
        return reverse("intake:import_detail", args=[self.pk])

    @property
    def is_running(self) -> bool:
        """Its check or import is waiting for a worker or under way."""
        return self.status in (
            ImportStatus.CHECKING,
            ImportStatus.APPLYING,
        ) and self.job_state in (JobState.QUEUED, JobState.RUNNING)

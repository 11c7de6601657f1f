"""Job rows: what a user sees of one piece of background work (the
abstract :class:`JobFields` and its :class:`JobState`).
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobState(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


def max_attempts() -> int:
    return int(settings.KV_QUEUE_MAX_ATTEMPTS)


class JobFields(models.Model):
    """What a user sees of one piece of background work (abstract).

    The concrete model declares the state field (``job_state_field``, values
    of :class:`JobState`) and the task that runs it (``job_task``, called
    with ``job_pk=``).
    """

    job_state_field: ClassVar[str] = "status"
    job_task: ClassVar[str] = ""

    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    progress_note = models.CharField(_("step"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    lease_token = models.CharField(max_length=32, blank=True, editable=False)
    lease_expires_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def job_state(self) -> str:
        return getattr(self, self.job_state_field)

    @property
    def is_finished(self) -> bool:
        return self.job_state in (JobState.DONE, JobState.FAILED)

    @property
    def is_waiting_for_retry(self) -> bool:
        """Queued again after a failed attempt."""
        return self.job_state == JobState.QUEUED and self.attempts > 0

    @property
    def max_attempts(self) -> int:
        return max_attempts()

    @property
    def progress_percent(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, round(100 * self.progress_done / self.progress_total))


J = TypeVar("J", bound=JobFields)


def job_models() -> list[type[JobFields]]:
    """Every installed model that is a job row."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, JobFields) and model.job_task
    ]

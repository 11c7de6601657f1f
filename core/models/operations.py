"""Running the service: notification settings per user, the worker heartbeat
and the monthly retention listings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import day_text, moment_text
from core.fields import FactDateField
from core.models.sites import Site
from core.scoping import SiteScopedQuerySet


class NotificationSettings(models.Model):
    """A user's choices about e-mail from the application."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_settings",
        verbose_name=_("user"),
    )
    daily_digest = models.BooleanField(
        _("daily reminder e-mail"),
        default=True,
        help_text=_(
            "Each morning, the number of things waiting for you (counts only, "
            "no names), when there is something."
        ),
    )
    digest_sent_on = FactDateField(
        _("last reminder e-mail"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return str(self.user)


class WorkerHeartbeat(models.Model):
    """The last time a background worker ran its minutely heartbeat task;
    the health endpoint reads it."""

    name = models.CharField(max_length=50, unique=True, verbose_name=_("name"))
    beat_at = models.DateTimeField(verbose_name=_("beat at"))
    host = models.CharField(max_length=255, blank=True, verbose_name=_("host"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.name} {moment_text(self.beat_at)}"


class RetentionListing(models.Model):
    """The monthly listing of one site's people past retention, for its
    functional administrators. Nothing is changed by listing; pseudonymising
    stays the confirmed, audited ``manage.py retention --confirm``."""

    site_lookup = "site"

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="+", verbose_name=_("site")
    )
    made_at = models.DateTimeField(_("made at"), default=timezone.now)
    # [{"pseudonym": ..., "kind": ...}], pseudonyms only
    people = models.JSONField(_("people"), default=list, blank=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-made_at", "-pk"]
        verbose_name = _("retention listing")
        verbose_name_plural = _("retention listings")

    def __str__(self) -> str:
        return f"{self.site.code} {day_text(self.made_at)}"

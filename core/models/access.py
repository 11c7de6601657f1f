"""Records about access to personal data: who read which person's file, the
sessions of each user, and which data-subject access documents were handed
out."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import day_text, moment_text
from core.models.people import Person
from core.models.sites import Site
from core.scoping import SiteScopedQuerySet


class ReadAccess(models.Model):
    """One page or file that showed one person's data (or an export file).

    Written by ``core.middleware.AccessContextMiddleware`` with one insert per
    request, after the response was produced; kept for
    ``KV_RETENTION_YEARS["read_access"]`` years (``core.retention``).
    """

    site_lookup = "site"

    at = models.DateTimeField(_("at"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(_("user name"), max_length=150)
    person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="read_accesses",
        verbose_name=_("person"),
    )
    site = models.ForeignKey(
        Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    object_type = models.CharField(_("record"), max_length=100)
    object_id = models.PositiveBigIntegerField(_("record number"), null=True)
    path = models.CharField(_("page"), max_length=300)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("read access")
        verbose_name_plural = _("read accesses")
        indexes = [
            # "who looked at this file": one person's reads, newest first
            models.Index(fields=["person", "-at"], name="read_access_person"),
            # a site's read log, newest first
            models.Index(fields=["site", "-at"], name="read_access_site"),
            # the retention job deletes by age
            models.Index(fields=["at"], name="read_access_at"),
        ]

    def __str__(self) -> str:
        return f"{moment_text(self.at)} {self.username} {self.path}"

    @property
    def object_label(self) -> str:
        """The record's kind in the reader's language, with its number."""
        try:
            model = apps.get_model(self.object_type)
        except (LookupError, ValueError):
            name = self.object_type
        else:
            name = str(model._meta.verbose_name)
        return f"{name} #{self.object_id}" if self.object_id else name


class UserSession(models.Model):
    """A logged-in session of a user, so they can see and end their own.

    Goes with its Django session row: logging out, ending the session or
    ``clearsessions`` removes both.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kv_sessions"
    )
    session = models.OneToOneField(
        Session, on_delete=models.CASCADE, related_name="kv_user_session"
    )
    started_at = models.DateTimeField(_("logged in at"), default=timezone.now)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return f"{self.user} {moment_text(self.started_at)}"


class SubjectAccessDisclosure(models.Model):
    """A data-subject access document (AVG art. 15) handed out for a person."""

    site_lookup = "site"

    person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("person"),
    )
    site = models.ForeignKey(
        Site, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("produced at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("produced by"),
    )
    created_by_username = models.CharField(_("produced by"), max_length=150)
    recipient = models.CharField(
        _("handed to"),
        max_length=200,
        help_text=_("Who receives the document: the person or their representative."),
    )
    note = models.CharField(
        _("note"),
        max_length=300,
        blank=True,
        help_text=_("E.g. the date of the request, or how it was handed over."),
    )

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("data-subject access document")
        verbose_name_plural = _("data-subject access documents")

    def __str__(self) -> str:
        return f"{day_text(self.created_at)} {self.recipient}"

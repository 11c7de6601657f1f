"""The audit log: who changed or read what, when, and how an event reads."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.dates import moment_text
from core.models.sites import Site
from core.scoping import Role


class AuditKind(models.TextChoices):
    LOGIN = "login", _("login")
    LOGOUT = "logout", _("logout")
    LOGIN_FAILED = "login_failed", _("failed login")
    EXPORT = "export", _("export")
    PERMISSION_CHANGE = "permission_change", _("permission change")
    REOPEN = "reopen", _("reopened a locked record")
    OVERRIDE = "override", _("override")
    IMPORT = "import", _("import")
    RETENTION = "retention", _("retention")
    DIGEST = "digest", _("reminder e-mail")
    DATA_CHECK = "data_check", _("data check")
    DOWNLOAD = "download", _("download")
    REFERENCE_CHANGE = "reference_change", _("reference data change")
    ACCOUNT = "account", _("account change")
    TWO_FACTOR = "two_factor", _("second factor")
    SUBJECT_ACCESS = "subject_access", _("data-subject access document")
    STEERING = "steering", _("meeting or forecast")


class AuditEvent(models.Model):
    """Events outside case-data rows: logins, exports, permission changes.

    Changes to case rows themselves are in the django-simple-history tables.
    """

    site_lookup = "site"

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_username = models.CharField(_("user name"), max_length=150, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=AuditKind.choices)
    site = models.ForeignKey(
        Site,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("site"),
    )
    summary = models.CharField(_("summary"), max_length=300)
    details = models.JSONField(_("details"), default=dict, blank=True)
    # The client's address when the event came from a request
    # (core.client_address), e.g. where a login came from.
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{moment_text(self.at)} {self.actor_username} {self.get_kind_display()}"

    def summary_text(self) -> str:
        """The summary in the reader's language.

        Events record their summary as a message id and its parameters
        (``details["message"]``, see ``audit_event_record``), so the log reads
        Dutch or English as the reader chooses; older events keep their text.
        """
        message = self.details.get(AUDIT_MESSAGE_KEY) if self.details else None
        if not isinstance(message, dict) or "text" not in message:
            return self.summary
        params = {
            key: AUDIT_PARAM_LABELS[key](value) if key in AUDIT_PARAM_LABELS else value
            for key, value in (message.get("params") or {}).items()
        }
        try:
            return gettext(message["text"]) % params
        except (KeyError, TypeError, ValueError):
            return self.summary

    summary_text.short_description = _("summary")  # type: ignore[attr-defined]


def _role_label(value: object) -> str:
    return str(Role(value).label) if value in Role.values else str(value)


def _model_label(value: object) -> str:
    """A model's name in the reader's language from its ``app.model`` label."""
    try:
        return str(apps.get_model(str(value))._meta.verbose_name)
    except (LookupError, ValueError):
        return str(value)


# Where the summary of an audit event keeps its message id and parameters.
AUDIT_MESSAGE_KEY = "message"
# Parameters holding a code that has a label of its own.
AUDIT_PARAM_LABELS = {"role": _role_label, "model": _model_label}

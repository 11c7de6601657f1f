"""Login events are only available as Django's auth signals; they feed the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.dispatch import receiver
from django.utils.translation import gettext_noop

from core.models import AuditKind
from core.services import audit_event_record


@receiver(user_logged_in, dispatch_uid="kv_audit_login")
def _audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_event_record(
        actor=user, kind=AuditKind.LOGIN, summary=gettext_noop("Logged in"), params={}
    )


@receiver(user_logged_out, dispatch_uid="kv_audit_logout")
def _audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_event_record(
            actor=user,
            kind=AuditKind.LOGOUT,
            summary=gettext_noop("Logged out"),
            params={},
        )


@receiver(user_login_failed, dispatch_uid="kv_audit_login_failed")
def _audit_login_failed(sender: Any, credentials: dict, **kwargs: Any) -> None:
    audit_event_record(
        actor=None,
        username=str(credentials.get("username", ""))[:150],
        kind=AuditKind.LOGIN_FAILED,
        summary=gettext_noop("Login failed"),
        params={},
    )

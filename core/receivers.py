"""Login events are only available as Django's auth signals; they feed the
audit log (with the client's address, see ``core.request_context``) and the
list of a user's own sessions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.dispatch import receiver

from core.models import AuditKind
from core.services import audit_event_record, user_session_start
from core.two_factor import PENDING_SESSION_KEY, pending_step

USER_AGENT_LENGTH = 300


@receiver(user_logged_in, dispatch_uid="kv_audit_login")
def _audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_event_record(actor=user, kind=AuditKind.LOGIN, summary="login")
    session = getattr(request, "session", None)
    if session is None:
        return
    step = pending_step(user)
    if step:
        session[PENDING_SESSION_KEY] = step
    if session.session_key:
        user_session_start(
            user=user,
            session_key=session.session_key,
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_LENGTH],
        )


@receiver(user_logged_out, dispatch_uid="kv_audit_logout")
def _audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_event_record(actor=user, kind=AuditKind.LOGOUT, summary="logout")


@receiver(user_login_failed, dispatch_uid="kv_audit_login_failed")
def _audit_login_failed(sender: Any, credentials: dict, **kwargs: Any) -> None:
    audit_event_record(
        actor=None,
        username=str(credentials.get("username", ""))[:150],
        kind=AuditKind.LOGIN_FAILED,
        summary="failed login",
    )

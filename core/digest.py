"""The daily reminder e-mail: per user, how many things wait for them.

Each app adds its counts through ``digest_lines`` on its AppConfig (see
``core.registry``): a function ``lines(user) -> list[DigestLine]`` that
reuses the selector behind the same number on the user's home page or
worklist, so the e-mail and the page never disagree. The e-mail holds
counts and links only: no names, pseudonyms or case details.

A user gets at most one digest a day (a conditional UPDATE on
``NotificationSettings.digest_sent_on`` claims the day before sending), only
when something is waiting, only with an e-mail address, and not after
switching it off on ``/account/notifications/``. Every digest sent is in the
audit log with its counts.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.models import AuditKind, NotificationSettings
from core.registry import dotted
from core.services import audit_event_record

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DigestLine:
    """One count in the digest: a stable key (for the audit log), the words
    shown to the user, and the page where the work is."""

    key: str
    label: str
    count: int
    url_name: str

    @property
    def url(self) -> str:
        return absolute_url(reverse(self.url_name))


def absolute_url(path: str) -> str:
    return f"{settings.KV_BASE_URL}{path}"


def digest_lines(user: AbstractBaseUser) -> list[DigestLine]:
    """Every count the apps report for ``user``, zeros included."""
    lines: list[DigestLine] = []
    for provider in dotted("digest_lines"):
        lines.extend(provider(user))
    return lines


def digest_recipients() -> list[AbstractBaseUser]:
    """Active users with a role and an e-mail address who did not opt out."""
    return list(
        get_user_model()
        .objects.filter(is_active=True, memberships__isnull=False)
        .exclude(email="")
        .exclude(notification_settings__daily_digest=False)
        .distinct()
        .order_by("pk")
    )


def _claim_day(user: AbstractBaseUser, today: datetime.date) -> bool:
    NotificationSettings.objects.get_or_create(user=user)
    return bool(
        NotificationSettings.objects.filter(user=user, daily_digest=True)
        .filter(Q(digest_sent_on__isnull=True) | Q(digest_sent_on__lt=today))
        .update(digest_sent_on=today)
    )


def digest_send(
    *, user: AbstractBaseUser, today: datetime.date | None = None
) -> dict[str, int] | None:
    """E-mail ``user`` today's digest; returns the counts sent, or ``None``
    when there was nothing to send or it was sent already today."""
    today = today or timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):
        lines = [line for line in digest_lines(user) if line.count]
        if not lines:
            return None
        previous = (
            NotificationSettings.objects.filter(user=user)
            .values_list("digest_sent_on", flat=True)
            .first()
        )
        if not _claim_day(user, today):
            return None
        context = {
            "lines": lines,
            "home_url": absolute_url(reverse("core:home")),
            "settings_url": absolute_url(reverse("core:account_notifications")),
            "today": today,
        }
        try:
            send_mail(
                subject=_("KV Monitor: work waiting for you"),
                message=render_to_string("core/email/digest.txt", context),
                from_email=None,
                recipient_list=[user.email],
            )
        except Exception:
            NotificationSettings.objects.filter(user=user).update(
                digest_sent_on=previous
            )
            raise
    counts = {line.key: line.count for line in lines}
    audit_event_record(
        actor=user,
        kind=AuditKind.DIGEST,
        summary=gettext_noop("Daily reminder e-mail sent (%(total)s items)"),
        params={"total": sum(counts.values())},
        details={"counts": counts, "day": today.isoformat()},
    )
    return counts


def digests_send_daily(*, today: datetime.date | None = None) -> int:
    """Send every recipient's digest; returns how many were sent.

    A failure for one user does not stop the others; it is raised at the
    end, so the queue retries the task, and users already served today are
    skipped then.
    """
    today = today or timezone.localdate()
    sent = 0
    failures = []
    for user in digest_recipients():
        try:
            if digest_send(user=user, today=today) is not None:
                sent += 1
        except Exception as error:
            logger.exception("reminder e-mail to user %s failed", user.pk)
            failures.append(error)
    if failures:
        raise RuntimeError(
            f"{len(failures)} reminder e-mail(s) failed, {sent} sent"
        ) from failures[0]
    return sent

"""User accounts: a user's own sessions and logins, and the accounts that a
functional administrator manages (the people of their own sites only).

A functional administrator manages a user whose every role is at one of the
administrator's sites. Users with roles at other sites too, users without any
role and superusers are shared: they are managed by the superuser only.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.models import AuditEvent, AuditKind, Membership, Site, UserSession
from core.scoping import Role, site_ids_for
from core.services import (
    audit_event_record,
    functional_admin_enable,
    membership_grant,
    membership_revoke,
)

ADMIN_ROLES = frozenset({Role.FUNCTIONAL_ADMIN})
LAST_ROLE = _(
    "This is the user's last role. Deactivate the account instead: it then "
    "stays in the list and can be reactivated."
)
OWN_ACCOUNT = _("You cannot change your own account or roles here.")
USERNAME_TAKEN = _("This user name is taken.")
RECENT_LOGINS = 20


# A user's own account ---------------------------------------------------------


def own_sessions(user: AbstractBaseUser) -> QuerySet[UserSession]:
    """The user's sessions that have not expired, newest first."""
    return UserSession.objects.filter(
        user=user, session__expire_date__gt=timezone.now()
    ).select_related("session")


def recent_logins(user: AbstractBaseUser) -> QuerySet[AuditEvent]:
    """The user's latest logins and failed attempts on their user name."""
    return AuditEvent.objects.filter(
        Q(kind=AuditKind.LOGIN, actor=user)
        | Q(kind=AuditKind.LOGIN_FAILED, actor_username=user.get_username())
    ).order_by("-at")[:RECENT_LOGINS]


@transaction.atomic
def user_sessions_end(
    *, user: AbstractBaseUser, keep_session_key: str | None = None
) -> int:
    """End the user's sessions (all, or all but ``keep_session_key``)."""
    sessions = Session.objects.filter(kv_user_session__user=user)
    if keep_session_key:
        sessions = sessions.exclude(session_key=keep_session_key)
    count, _by_model = sessions.delete()
    return count


@transaction.atomic
def user_session_end(*, user_session: UserSession) -> None:
    """End one session (the session row goes, and with it the login)."""
    Session.objects.filter(pk=user_session.session_id).delete()


@transaction.atomic
def password_changed_record(
    *, user: AbstractBaseUser, keep_session_key: str | None, how: str
) -> None:
    """After a new password: other sessions end, and it is audited."""
    user_sessions_end(user=user, keep_session_key=keep_session_key)
    audit_event_record(actor=user, kind=AuditKind.ACCOUNT, summary=how)


# Accounts a functional administrator manages ----------------------------------


def admin_sites(admin: AbstractBaseUser) -> QuerySet[Site]:
    return Site.objects.filter(pk__in=site_ids_for(admin, ADMIN_ROLES))


def managed_users(admin: AbstractBaseUser) -> QuerySet:
    """Users whose every role is at one of ``admin``'s sites."""
    mine = site_ids_for(admin, ADMIN_ROLES)
    elsewhere = Membership.objects.exclude(site_id__in=mine).values("user_id")
    return (
        get_user_model()
        .objects.filter(
            pk__in=Membership.objects.filter(site_id__in=mine).values("user_id")
        )
        .exclude(pk__in=elsewhere)
        .exclude(is_superuser=True)
    )


def _refuse_own(user: AbstractBaseUser, by: AbstractBaseUser) -> None:
    if user.pk == by.pk:
        raise ValidationError(OWN_ACCOUNT, code="own_account")


def _site_of(user: AbstractBaseUser) -> Site | None:
    """The site an account event is filed under (the user's only site)."""
    site_ids = set(user.memberships.values_list("site_id", flat=True))
    return Site.objects.get(pk=site_ids.pop()) if len(site_ids) == 1 else None


@transaction.atomic
def user_account_create(
    *,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    site: Site,
    role: str,
    job_title: str,
    created_by: AbstractBaseUser,
) -> AbstractBaseUser:
    """A new account with one role at ``site``. It has no password yet: the
    administrator hands over a one-time link to set one."""
    user_model = get_user_model()
    username = username.strip()
    if user_model.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": USERNAME_TAKEN})
    user = user_model(
        username=username,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip(),
    )
    user.set_unusable_password()
    user.full_clean()
    user.save()
    audit_event_record(
        actor=created_by,
        kind=AuditKind.ACCOUNT,
        site=site,
        summary=f"created the account {username}",
        details={"user": username, "role": role},
    )
    role_grant(user=user, site=site, role=role, job_title=job_title, by=created_by)
    return user


@transaction.atomic
def role_grant(
    *,
    user: AbstractBaseUser,
    site: Site,
    role: str,
    job_title: str,
    by: AbstractBaseUser,
) -> Membership:
    """Give ``user`` a role at ``site`` (a functional administrator also gets
    the admin for reference data)."""
    _refuse_own(user, by)
    membership = membership_grant(
        user=user, site=site, role=role, granted_by=by, job_title=job_title.strip()
    )
    if role == Role.FUNCTIONAL_ADMIN:
        functional_admin_enable(user=user)
    return membership


@transaction.atomic
def role_revoke(*, membership: Membership, by: AbstractBaseUser) -> None:
    """Take a role away; never the user's last one (deactivate instead)."""
    user = membership.user
    _refuse_own(user, by)
    if not user.memberships.exclude(pk=membership.pk).exists():
        raise ValidationError(LAST_ROLE, code="last_role")
    membership_revoke(membership=membership, revoked_by=by)
    if not user.memberships.filter(role=Role.FUNCTIONAL_ADMIN).exists():
        user.is_staff = False
        user.save(update_fields=["is_staff"])
        user.groups.clear()


@transaction.atomic
def user_account_set_active(
    *, user: AbstractBaseUser, active: bool, by: AbstractBaseUser
) -> None:
    """Deactivate (sessions end, login refused) or reactivate an account."""
    _refuse_own(user, by)
    if user.is_active == active:
        return
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        user_sessions_end(user=user)
    audit_event_record(
        actor=by,
        kind=AuditKind.ACCOUNT,
        site=_site_of(user),
        summary=f"{'reactivated' if active else 'deactivated'} the account "
        f"{user.get_username()}",
        details={"user": user.get_username(), "active": active},
    )


def password_link_path(user: AbstractBaseUser) -> str:
    """The path of a one-time link to set a new password. It stops working
    once used (the token is tied to the current password and last login) or
    after ``PASSWORD_RESET_TIMEOUT`` seconds."""
    return reverse(
        "core:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


@transaction.atomic
def password_link_create(
    *, user: AbstractBaseUser, by: AbstractBaseUser, base_url: str, send: bool
) -> str:
    """A one-time password link for ``user``, audited; with ``send`` also
    e-mailed to the user's address (where e-mail is configured)."""
    _refuse_own(user, by)
    if not user.is_active:
        raise ValidationError(
            _("Reactivate the account before creating a password link.")
        )
    link = base_url + password_link_path(user)
    sent = bool(send and user.email and settings.KV_PASSWORD_RESET_BY_EMAIL)
    audit_event_record(
        actor=by,
        kind=AuditKind.ACCOUNT,
        site=_site_of(user),
        summary=f"created a password link for {user.get_username()}",
        details={"user": user.get_username(), "e-mailed": sent},
    )
    if sent:
        transaction.on_commit(lambda: _send_link(user, link))
    return link


def _send_link(user: AbstractBaseUser, link: str) -> None:
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    send_mail(
        subject=gettext("KV Monitor: set your password"),
        message=gettext(
            "Set your KV Monitor password with this link. It works once and "
            "for %(hours)s hours:\n\n%(link)s\n"
        )
        % {"link": link, "hours": hours},
        from_email=None,
        recipient_list=[user.email],
    )

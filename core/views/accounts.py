"""A user's own account: password, sessions, recent logins, the second
factor and the reminder e-mail; and the login's second step."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from core import two_factor
from core.access import login_only, public
from core.account_forms import CodeForm
from core.accounts import (
    own_sessions,
    password_changed_record,
    recent_logins,
    user_session_end,
)
from core.digest import digest_lines
from core.forms import NotificationSettingsForm
from core.models import AuditKind, NotificationSettings, UserSession
from core.services import (
    audit_event_record,
    notification_settings_update,
    user_session_start,
)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse_lazy("core:home")


@login_only
def account_view(request: HttpRequest) -> HttpResponse:
    context = {
        "sessions": own_sessions(request.user),
        "current_session_key": request.session.session_key,
        "logins": recent_logins(request.user),
        "two_factor": two_factor.two_factor_status(request.user),
    }
    return render(request, "core/account/account.html", context)


@login_only
@require_http_methods(["GET", "POST"])
def password_change_view(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        kept = UserSession.objects.filter(
            session_id=request.session.session_key
        ).first()
        # The session gets a new key (and so a new row): keep it in the list.
        update_session_auth_hash(request, user)
        user_session_start(
            user=user,
            session_key=request.session.session_key,
            user_agent=kept.user_agent if kept else "",
            started_at=kept.started_at if kept else None,
        )
        password_changed_record(
            user=user,
            keep_session_key=request.session.session_key,
            how=gettext_noop("Changed own password"),
        )
        messages.success(
            request, _("Your password was changed. Your other sessions have ended.")
        )
        return redirect("core:account")
    return render(request, "core/account/password_change.html", {"form": form})


@login_only
@require_POST
def session_end_view(request: HttpRequest) -> HttpResponse:
    """End one of the user's own other sessions (posted as ``session``)."""
    chosen = request.POST.get("session", "")
    user_session = (
        UserSession.objects.filter(pk=int(chosen), user=request.user).first()
        if chosen.isdigit()
        else None
    )
    if user_session is None:
        return redirect("core:account")
    if user_session.session_id == request.session.session_key:
        messages.warning(request, _("Use 'Log out' to end this session."))
        return redirect("core:account")
    user_session_end(user_session=user_session)
    messages.success(request, _("The session was ended."))
    return redirect("core:account")


# Second factor -----------------------------------------------------------------


@login_only
@require_http_methods(["GET", "POST"])
def two_factor_verify_view(request: HttpRequest) -> HttpResponse:
    """The login's second step: a code from the app, or a backup code."""
    user = request.user
    if request.session.get(two_factor.PENDING_SESSION_KEY) != two_factor.VERIFY:
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.verify_code(user=user, code=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            request.session.pop(two_factor.PENDING_SESSION_KEY, None)
            audit_event_record(
                actor=user,
                kind=AuditKind.TWO_FACTOR,
                summary=gettext_noop("Second factor given"),
                params={},
            )
            return redirect(_next_url(request))
        audit_event_record(
            actor=user,
            kind=AuditKind.TWO_FACTOR,
            summary=gettext_noop("Wrong second factor"),
            params={},
        )
        form.add_error("code", _("This code is not right (or was used already)."))
    return render(
        request,
        "core/account/two_factor_verify.html",
        {"form": form, "next": _next_url(request)},
    )


@login_only
@require_http_methods(["GET", "POST"])
def two_factor_setup_view(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: at the first login, or to replace one.

    Replacing needs a session that gave the current second factor, so a
    password alone never replaces a device.
    """
    user = request.user
    if two_factor.has_device(user) and not user.is_verified():
        return redirect("core:two_factor_verify")
    key = request.session.get(two_factor.SETUP_KEY_SESSION_KEY)
    if not key:
        key = two_factor.new_totp_key()
        request.session[two_factor.SETUP_KEY_SESSION_KEY] = key
    form = CodeForm(request.POST or None)
    form.fields["code"].help_text = ""  # backup codes come after this step
    if request.method == "POST" and form.is_valid():
        if two_factor.totp_code_matches(key=key, code=form.cleaned_data["code"]):
            device, codes = two_factor.two_factor_enrol(user=user, key=key)
            otp_login(request, device)
            request.session.pop(two_factor.SETUP_KEY_SESSION_KEY, None)
            request.session.pop(two_factor.PENDING_SESSION_KEY, None)
            return render(
                request,
                "core/account/backup_codes.html",
                {"codes": codes, "next": _next_url(request), "enrolled": True},
            )
        form.add_error(
            "code", _("This code is not right. Check the time on your phone.")
        )
    device = two_factor.setup_device(user=user, key=key)
    context = {
        "form": form,
        "qr_svg": two_factor.qr_code_svg(device),
        "secret": two_factor.secret_for_typing(device),
        "required": two_factor.second_factor_required(user),
        "next": _next_url(request),
    }
    return render(request, "core/account/two_factor_setup.html", context)


@login_only
@require_POST
def backup_codes_renew_view(request: HttpRequest) -> HttpResponse:
    if not (two_factor.has_device(request.user) and request.user.is_verified()):
        messages.warning(request, _("Set up an authenticator app first."))
        return redirect("core:account")
    codes = two_factor.backup_codes_renew(user=request.user)
    return render(
        request,
        "core/account/backup_codes.html",
        {"codes": codes, "next": reverse_lazy("core:account"), "enrolled": False},
    )


# Setting a password from a one-time link ----------------------------------------


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "core/account/password_set.html"
    success_url = reverse_lazy("core:password_reset_complete")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        password_changed_record(
            user=form.user,
            keep_session_key=None,
            how=gettext_noop("Set a password from a link"),
        )
        return response


password_reset_confirm_view = public(PasswordResetConfirmView.as_view())


@public
def password_reset_complete_view(request: HttpRequest) -> HttpResponse:
    return render(request, "core/account/password_set_done.html")


class PasswordResetRequestView(auth_views.PasswordResetView):
    """'Forgot your password?': only where e-mail is configured
    (``KV_PASSWORD_RESET_BY_EMAIL``); otherwise the page does not exist."""

    template_name = "core/account/password_forgot.html"
    email_template_name = "core/account/password_forgot_email.txt"
    subject_template_name = "core/account/password_forgot_subject.txt"
    success_url = reverse_lazy("core:password_reset_sent")

    def dispatch(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not settings.KV_PASSWORD_RESET_BY_EMAIL:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


password_reset_request_view = public(PasswordResetRequestView.as_view())


@public
def password_reset_sent_view(request: HttpRequest) -> HttpResponse:
    if not settings.KV_PASSWORD_RESET_BY_EMAIL:
        raise Http404
    return render(request, "core/account/password_forgot_sent.html")


@login_only
@require_http_methods(["GET", "POST"])
def account_notifications_view(request: HttpRequest) -> HttpResponse:
    """The user's own e-mail choices, with what today's e-mail would hold."""
    current = NotificationSettings.objects.filter(user=request.user).first()
    form = NotificationSettingsForm(
        # an unticked box posts nothing: an empty POST is still a submission
        request.POST if request.method == "POST" else None,
        instance=current or NotificationSettings(user=request.user),
    )
    if request.method == "POST" and form.is_valid():
        notification_settings_update(
            user=request.user, daily_digest=form.cleaned_data["daily_digest"]
        )
        messages.success(request, _("Your choice is saved."))
        return redirect("core:account_notifications")
    context = {
        "form": form,
        "lines": digest_lines(request.user),
        "last_sent": current.digest_sent_on if current else None,
    }
    return render(request, "core/account_notifications.html", context)

"""Functional administrators manage the accounts of their own sites' people:
create, deactivate, reactivate, roles, second factor, password links."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core import two_factor
from core.access import role_required
from core.account_forms import PasswordLinkForm, RoleGrantForm, UserCreateForm
from core.accounts import (
    admin_sites,
    managed_users,
    password_link_create,
    role_grant,
    role_revoke,
    user_account_create,
    user_account_set_active,
)
from core.models import Membership
from core.scoping import Role, site_ids_for
from core.service_forms import add_service_errors, message_service_errors

ADMIN_ROLES = frozenset({Role.FUNCTIONAL_ADMIN})


def _managed_user(request: HttpRequest, user_pk: int) -> Any:
    try:
        return managed_users(request.user).get(pk=user_pk)
    except (ValueError, TypeError, get_user_model().DoesNotExist):
        raise Http404 from None


@role_required(ADMIN_ROLES)
def user_list_view(request: HttpRequest) -> HttpResponse:
    users = (
        managed_users(request.user)
        .prefetch_related(
            Prefetch("memberships", Membership.objects.select_related("site"))
        )
        .order_by("-is_active", "username")
    )
    page = Paginator(users, 100).get_page(request.GET.get("page"))
    return render(request, "core/users/user_list.html", {"page": page})


@role_required(ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def user_create_view(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None, sites=admin_sites(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            user = user_account_create(created_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Account created. Create a password link to hand to the user."),
            )
            return redirect("core:user_detail", user_pk=user.pk)
    return render(request, "core/users/user_form.html", {"form": form})


@role_required(ADMIN_ROLES)
def user_detail_view(request: HttpRequest, user_pk: int) -> HttpResponse:
    account = _managed_user(request, user_pk)
    context = {
        "account": account,
        "memberships": account.memberships.select_related("site"),
        "grant_form": RoleGrantForm(sites=admin_sites(request.user)),
        "link_form": PasswordLinkForm(),
        "two_factor": two_factor.two_factor_status(account),
        "is_self": account.pk == request.user.pk,
    }
    return render(request, "core/users/user_detail.html", context)


@role_required(ADMIN_ROLES)
@require_POST
def user_deactivate_view(request: HttpRequest, user_pk: int) -> HttpResponse:
    return _set_active(request, user_pk, active=False)


@role_required(ADMIN_ROLES)
@require_POST
def user_reactivate_view(request: HttpRequest, user_pk: int) -> HttpResponse:
    return _set_active(request, user_pk, active=True)


def _set_active(request: HttpRequest, user_pk: int, *, active: bool) -> HttpResponse:
    account = _managed_user(request, user_pk)
    try:
        user_account_set_active(user=account, active=active, by=request.user)
    except ValidationError as error:
        message_service_errors(request, error)
    else:
        messages.success(
            request,
            _("The account was reactivated.")
            if active
            else _("The account was deactivated; its sessions have ended."),
        )
    return redirect("core:user_detail", user_pk=account.pk)


@role_required(ADMIN_ROLES)
@require_POST
def role_grant_view(request: HttpRequest, user_pk: int) -> HttpResponse:
    account = _managed_user(request, user_pk)
    form = RoleGrantForm(request.POST, sites=admin_sites(request.user))
    if form.is_valid():
        try:
            role_grant(user=account, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            message_service_errors(request, error)
        else:
            messages.success(request, _("The role was granted."))
    else:
        messages.error(request, _("Choose a site and a role."))
    return redirect("core:user_detail", user_pk=account.pk)


@role_required(ADMIN_ROLES)
@require_POST
def role_revoke_view(request: HttpRequest, membership_pk: int) -> HttpResponse:
    try:
        membership = Membership.objects.select_related("user", "site").get(
            pk=membership_pk,
            site_id__in=site_ids_for(request.user, ADMIN_ROLES),
            user__in=managed_users(request.user),
        )
    except (ValueError, TypeError, Membership.DoesNotExist):
        raise Http404 from None
    try:
        role_revoke(membership=membership, by=request.user)
    except ValidationError as error:
        message_service_errors(request, error)
    else:
        messages.success(request, _("The role was revoked."))
    return redirect("core:user_detail", user_pk=membership.user_id)


@role_required(ADMIN_ROLES)
@require_POST
def two_factor_reset_view(request: HttpRequest, user_pk: int) -> HttpResponse:
    account = _managed_user(request, user_pk)
    if account.pk == request.user.pk:
        messages.error(request, _("You cannot change your own account or roles here."))
        return redirect("core:user_detail", user_pk=account.pk)
    sites = list(account.memberships.values_list("site", flat=True).distinct())
    two_factor.two_factor_reset(
        user=account,
        reset_by=request.user,
        site=admin_sites(request.user).filter(pk__in=sites).first(),
    )
    messages.success(
        request,
        _("The second factor was removed. They set up a new one at their next login."),
    )
    return redirect("core:user_detail", user_pk=account.pk)


@role_required(ADMIN_ROLES)
@require_POST
def password_link_view(request: HttpRequest, user_pk: int) -> HttpResponse:
    account = _managed_user(request, user_pk)
    form = PasswordLinkForm(request.POST)
    send = form.is_valid() and form.cleaned_data["send"]
    try:
        link = password_link_create(
            user=account,
            by=request.user,
            base_url=request.build_absolute_uri("/").rstrip("/"),
            send=send,
        )
    except ValidationError as error:
        message_service_errors(request, error)
        return redirect("core:user_detail", user_pk=account.pk)
    return render(
        request,
        "core/users/password_link.html",
        {"account": account, "link": link, "sent": send and bool(account.email)},
    )

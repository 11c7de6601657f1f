"""Functional administrators manage the accounts of their own sites' people,
and no one else's."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from core.models import AuditEvent, AuditKind, Membership
from core.scoping import Role
from tests.factories import TEST_PASSWORD, UserFactory, user_with_role


@pytest.fixture
def admin_client(client, admin_almelo):
    client.force_login(admin_almelo)
    return client


def _create(client, site, username="nieuw", **extra):
    return client.post(
        reverse("core:user_create"),
        {
            "username": username,
            "first_name": "Nina",
            "last_name": "Nieuw",
            "site": site.pk,
            "role": Role.CASEMANAGER,
            **extra,
        },
    )


def test_functional_admin_creates_an_account_at_own_site(admin_client, almelo):
    response = _create(admin_client, almelo, job_title="mentor")

    membership = Membership.objects.get(user__username="nieuw")
    assert response.status_code == 302
    assert (membership.site, membership.role, membership.job_title) == (
        almelo,
        Role.CASEMANAGER,
        "mentor",
    )
    assert not membership.user.has_usable_password()
    assert AuditEvent.objects.filter(kind=AuditKind.ACCOUNT, site=almelo).exists()


def test_no_account_is_created_at_another_site(admin_client, krimpen):
    response = _create(admin_client, krimpen)
    assert response.status_code == 200
    assert response.context["form"].errors["site"]
    assert not Membership.objects.filter(user__username="nieuw").exists()


def test_a_taken_user_name_is_refused(admin_client, almelo, casemanager_krimpen):
    response = _create(admin_client, almelo, username="BOB")
    assert response.status_code == 200
    assert "bob" not in {
        m.user.username for m in Membership.objects.filter(site=almelo)
    }


def test_user_list_holds_only_accounts_wholly_at_own_sites(
    admin_client, almelo, krimpen, casemanager_almelo, casemanager_krimpen
):
    programme = user_with_role(Role.PROJECT_LEADER, almelo, krimpen, username="prog")
    UserFactory(username="root", is_superuser=True)
    listed = {
        u.username for u in admin_client.get(reverse("core:user_list")).context["page"]
    }

    assert "alice" in listed
    assert listed.isdisjoint({"bob", "prog", "root"})
    for other in (casemanager_krimpen, programme):
        url = reverse("core:user_detail", args=[other.pk])
        assert admin_client.get(url).status_code == 404
        deactivate = reverse("core:user_deactivate", args=[other.pk])
        assert admin_client.post(deactivate).status_code == 404
        other.refresh_from_db()
        assert other.is_active


def test_deactivating_ends_sessions_and_login_until_reactivated(
    admin_client, casemanager_almelo
):
    colleague = Client()
    colleague.post("/accounts/login/", {"username": "alice", "password": TEST_PASSWORD})
    assert colleague.get(reverse("core:home")).status_code == 200

    admin_client.post(reverse("core:user_deactivate", args=[casemanager_almelo.pk]))

    assert colleague.get(reverse("core:home")).status_code == 302
    refused = Client().post(
        "/accounts/login/", {"username": "alice", "password": TEST_PASSWORD}
    )
    assert refused.status_code == 200
    admin_client.post(reverse("core:user_reactivate", args=[casemanager_almelo.pk]))
    again = Client().post(
        "/accounts/login/", {"username": "alice", "password": TEST_PASSWORD}
    )
    assert again.status_code == 302
    summaries = AuditEvent.objects.filter(kind=AuditKind.ACCOUNT).values_list(
        "summary", flat=True
    )
    assert {"deactivated the account alice", "reactivated the account alice"} <= set(
        summaries
    )


def test_roles_are_granted_and_revoked_at_own_sites_but_not_the_last_one(
    admin_client, almelo, krimpen, casemanager_almelo
):
    grant = reverse("core:role_grant", args=[casemanager_almelo.pk])
    admin_client.post(grant, {"site": almelo.pk, "role": Role.PROJECT_LEADER})
    admin_client.post(grant, {"site": krimpen.pk, "role": Role.PROJECT_LEADER})
    roles = set(casemanager_almelo.memberships.values_list("site__code", "role"))
    assert roles == {("almelo", Role.CASEMANAGER), ("almelo", Role.PROJECT_LEADER)}

    leader = casemanager_almelo.memberships.get(role=Role.PROJECT_LEADER)
    admin_client.post(reverse("core:role_revoke", args=[leader.pk]))
    last = casemanager_almelo.memberships.get()
    refused = admin_client.post(
        reverse("core:role_revoke", args=[last.pk]), follow=True
    )

    assert casemanager_almelo.memberships.get() == last
    assert "laatste rol" in refused.content.decode() or "last role" in (
        refused.content.decode()
    )
    assert (
        AuditEvent.objects.filter(kind=AuditKind.PERMISSION_CHANGE).count() == 2
    )  # granted, revoked


def test_nobody_changes_their_own_roles_or_account(admin_client, admin_almelo, almelo):
    grant = reverse("core:role_grant", args=[admin_almelo.pk])
    admin_client.post(grant, {"site": almelo.pk, "role": Role.CASEMANAGER})
    admin_client.post(reverse("core:user_deactivate", args=[admin_almelo.pk]))
    admin_almelo.refresh_from_db()
    assert admin_almelo.is_active
    assert set(admin_almelo.memberships.values_list("role", flat=True)) == {
        Role.FUNCTIONAL_ADMIN
    }


def test_a_password_link_works_once(admin_client, casemanager_almelo):
    page = admin_client.post(
        reverse("core:password_link", args=[casemanager_almelo.pk])
    )
    link = page.context["link"]
    user = Client()
    form = user.get(link, follow=True)
    new = "een-lang-nieuw-wachtwoord"
    user.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})

    casemanager_almelo.refresh_from_db()
    assert casemanager_almelo.check_password(new)
    assert not Client().get(link, follow=True).context["validlink"]
    assert AuditEvent.objects.filter(
        kind=AuditKind.ACCOUNT, summary="created a password link for alice"
    ).exists()


def test_the_link_is_e_mailed_where_e_mail_is_configured(
    admin_client, casemanager_almelo, settings, django_capture_on_commit_callbacks
):
    settings.KV_PASSWORD_RESET_BY_EMAIL = True
    casemanager_almelo.email = "alice@example.nl"
    casemanager_almelo.save()
    url = reverse("core:password_link", args=[casemanager_almelo.pk])
    with django_capture_on_commit_callbacks(execute=True):
        page = admin_client.post(url, {"send": "on"})
    assert page.context["sent"]
    assert mail.outbox[-1].to == ["alice@example.nl"]
    assert page.context["link"] in mail.outbox[-1].body


def test_forgot_password_page_exists_only_with_e_mail(
    client, casemanager_almelo, settings
):
    url = reverse("core:password_reset_request")
    assert client.get(url).status_code == 404
    settings.KV_PASSWORD_RESET_BY_EMAIL = True
    casemanager_almelo.email = "alice@example.nl"
    casemanager_almelo.save()
    assert client.post(url, {"email": "alice@example.nl"}).status_code == 302
    assert "/account/password/set/" in mail.outbox[-1].body

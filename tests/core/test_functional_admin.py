from __future__ import annotations

from django.urls import reverse

from core.services import functional_admin_enable


def test_functional_admin_edits_reference_data_in_the_admin(client, admin_almelo):
    functional_admin_enable(user=admin_almelo)
    client.force_login(admin_almelo)
    assert client.get(reverse("admin:core_site_changelist")).status_code == 200
    assert client.get(reverse("admin:core_criteriaversion_add")).status_code == 200


def test_functional_admin_cannot_open_case_data_in_the_admin(client, admin_almelo):
    functional_admin_enable(user=admin_almelo)
    client.force_login(admin_almelo)
    assert client.get(reverse("admin:intake_intakecase_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_user_add")).status_code == 403


def test_admin_is_in_dutch(client, admin_almelo):
    functional_admin_enable(user=admin_almelo)
    client.force_login(admin_almelo)
    body = client.get(reverse("admin:index")).content.decode()
    assert "Website-beheer" in body or "Beheer" in body


def test_functional_admin_sees_and_offers_only_own_sites(
    client, admin_almelo, almelo, krimpen
):
    functional_admin_enable(user=admin_almelo)
    client.force_login(admin_almelo)
    listing = client.get(reverse("admin:core_site_changelist")).content.decode()
    assert "KV Almelo" in listing
    assert "KV Krimpen" not in listing
    other = client.get(reverse("admin:core_site_change", args=[krimpen.pk]))
    assert other.status_code == 302  # the admin redirects a hidden object away
    form = client.get(reverse("admin:core_membership_add")).content.decode()
    assert f'<option value="{almelo.pk}">' in form
    assert f'<option value="{krimpen.pk}">' not in form


def test_functional_admin_cannot_grant_roles_at_another_site(
    client, admin_almelo, krimpen
):
    from core.models import Membership
    from tests.factories import UserFactory

    functional_admin_enable(user=admin_almelo)
    colleague = UserFactory(username="collega")
    client.force_login(admin_almelo)
    response = client.post(
        reverse("admin:core_membership_add"),
        {"user": colleague.pk, "site": krimpen.pk, "role": "casemanager"},
    )
    assert response.status_code == 200
    assert not Membership.objects.filter(user=colleague, site=krimpen).exists()


def test_functional_admin_cannot_widen_own_access(client, admin_almelo, almelo):
    from core.models import Membership

    functional_admin_enable(user=admin_almelo)
    client.force_login(admin_almelo)
    response = client.post(
        reverse("admin:core_membership_add"),
        {"user": admin_almelo.pk, "site": almelo.pk, "role": "casemanager"},
    )
    assert response.status_code == 200
    assert not Membership.objects.filter(user=admin_almelo, role="casemanager").exists()


def test_audit_log_shows_only_events_of_own_sites(
    client, admin_almelo, casemanager_almelo, casemanager_krimpen
):
    from core.models import AuditKind
    from core.services import audit_event_record

    audit_event_record(actor=casemanager_almelo, kind=AuditKind.LOGIN, summary="in-a")
    audit_event_record(actor=casemanager_krimpen, kind=AuditKind.LOGIN, summary="in-k")
    client.force_login(admin_almelo)
    body = client.get(reverse("core:audit_log")).content.decode()
    assert "in-a" in body
    assert "in-k" not in body


def test_functional_admin_views_a_user_without_a_password_link_it_cannot_open(
    client, admin_almelo, almelo
):
    from tests.factories import MembershipFactory

    functional_admin_enable(user=admin_almelo)
    colleague = MembershipFactory(site=almelo, role="casemanager").user
    client.force_login(admin_almelo)
    page = client.get(reverse("admin:auth_user_change", args=[colleague.pk]))
    assert page.status_code == 200
    assert colleague.username in page.content.decode()
    assert "../password/" not in page.content.decode()
    password_form = reverse("admin:auth_user_password_change", args=[colleague.pk])
    assert client.get(password_form).status_code == 403


def test_a_role_granted_and_revoked_in_the_admin_is_audited_once_by_the_service(
    client, admin_almelo, almelo
):
    from core.models import AuditEvent, AuditKind, Membership
    from tests.factories import MembershipFactory

    functional_admin_enable(user=admin_almelo)
    colleague = MembershipFactory(site=almelo, role="casemanager").user
    client.force_login(admin_almelo)
    before = AuditEvent.objects.count()
    response = client.post(
        reverse("admin:core_membership_add"),
        {"user": colleague.pk, "site": almelo.pk, "role": "project_leader"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    membership = Membership.objects.get(user=colleague, role="project_leader")
    added = AuditEvent.objects.order_by("pk")[before:]
    assert [event.kind for event in added] == [AuditKind.PERMISSION_CHANGE]
    before = AuditEvent.objects.count()
    response = client.post(
        reverse("admin:core_membership_delete", args=[membership.pk]),
        {"post": "yes"},
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    removed = AuditEvent.objects.order_by("pk")[before:]
    assert [event.kind for event in removed] == [AuditKind.PERMISSION_CHANGE]

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

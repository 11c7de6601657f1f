"""A user's own account page: password, sessions, recent logins."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from core.models import AuditEvent, AuditKind, UserSession
from tests.factories import TEST_PASSWORD

LOGIN = "/accounts/login/"


def _login(address: str, username: str = "alice", password: str = TEST_PASSWORD):
    client = Client(REMOTE_ADDR=address, HTTP_USER_AGENT=f"Browser at {address}")
    response = client.post(LOGIN, {"username": username, "password": password})
    return client, response


def test_account_page_lists_own_sessions_and_recent_logins_with_address(
    casemanager_almelo, casemanager_krimpen
):
    desk, _ = _login("198.51.100.1")
    _login("198.51.100.2")
    _login("198.51.100.3", password="wrong")
    _login("198.51.100.9", username="bob")

    page = desk.get(reverse("core:account"))

    body = page.content.decode()
    assert [s.address for s in page.context["sessions"]] == [
        "198.51.100.2",
        "198.51.100.1",
    ]
    assert "Browser at 198.51.100.2" in body
    logins = [(e.kind, e.address) for e in page.context["logins"]]
    assert logins == [
        (AuditKind.LOGIN_FAILED, "198.51.100.3"),
        (AuditKind.LOGIN, "198.51.100.2"),
        (AuditKind.LOGIN, "198.51.100.1"),
    ]
    assert "198.51.100.9" not in body  # bob's login is bob's


def test_ending_another_session_logs_that_browser_out(casemanager_almelo):
    desk, _ = _login("198.51.100.1")
    phone, _ = _login("198.51.100.2")
    phone_session = UserSession.objects.get(address="198.51.100.2")

    desk.post(reverse("core:session_end"), {"session": phone_session.pk})

    assert phone.get(reverse("core:home")).status_code == 302
    assert desk.get(reverse("core:home")).status_code == 200


def test_nobody_ends_someone_elses_session(casemanager_almelo, casemanager_krimpen):
    desk, _ = _login("198.51.100.1")
    other, _ = _login("198.51.100.2", username="bob")
    bobs = UserSession.objects.get(user=casemanager_krimpen)

    desk.post(reverse("core:session_end"), {"session": bobs.pk})

    assert other.get(reverse("core:home")).status_code == 200


def test_changing_the_password_ends_the_other_sessions(casemanager_almelo):
    desk, _ = _login("198.51.100.1")
    phone, _ = _login("198.51.100.2")
    url = reverse("core:password_change")
    new = "een-nieuw-lang-wachtwoord"

    wrong = desk.post(
        url,
        {"old_password": "fout", "new_password1": new, "new_password2": new},
    )
    changed = desk.post(
        url,
        {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new},
    )

    assert wrong.status_code == 200
    assert wrong.context["form"].errors["old_password"]
    assert changed.status_code == 302
    assert desk.get(reverse("core:home")).status_code == 200
    assert phone.get(reverse("core:home")).status_code == 302
    assert UserSession.objects.filter(user=casemanager_almelo).count() == 1
    assert AuditEvent.objects.filter(
        kind=AuditKind.ACCOUNT, actor=casemanager_almelo
    ).exists()


def test_a_weak_new_password_is_refused(client, casemanager_almelo):
    client.force_login(casemanager_almelo)
    response = client.post(
        reverse("core:password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "12345678",
            "new_password2": "12345678",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    casemanager_almelo.refresh_from_db()
    assert casemanager_almelo.check_password(TEST_PASSWORD)

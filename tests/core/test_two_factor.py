"""The second login factor: enrolment at the first login, verification at
every later one, backup codes, and its reset by a functional administrator.

These tests run with production's rule: every role needs it.
"""

from __future__ import annotations

import re
from binascii import unhexlify

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import AuditEvent, AuditKind
from core.scoping import Role
from core.two_factor import SETUP_KEY_SESSION_KEY, two_factor_enrol
from tests.factories import TEST_PASSWORD, user_with_role

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def required(settings):
    settings.KV_TWO_FACTOR_EXEMPT_ROLES = []


def _code(key: str) -> str:
    return f"{totp(unhexlify(key)):06d}"


def _login(client: Client, username: str, password: str = TEST_PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


def _login_verified(client: Client, user, key: str = "ef" * 20) -> None:
    two_factor_enrol(user=user, key=key)
    client.force_login(user)
    verified = client.post(reverse("core:two_factor_verify"), {"code": _code(key)})
    assert verified.status_code == 302


def test_a_new_casemanager_is_created_enrols_and_logs_in_with_the_app(
    client, admin_almelo, almelo
):
    # The site's functional administrator creates the account ...
    _login_verified(client, admin_almelo)
    created = client.post(
        reverse("core:user_create"),
        {
            "username": "nieuw",
            "first_name": "Nina",
            "last_name": "Nieuw",
            "site": almelo.pk,
            "role": Role.CASEMANAGER,
        },
    )
    assert created.status_code == 302
    detail = created["Location"]
    link_page = client.post(detail.rstrip("/") + "/password-link/")
    link = link_page.context["link"]
    assert link.startswith("http://testserver/account/password/set/")

    # ... the new colleague sets a password with the link ...
    colleague = Client()
    form = colleague.get(link, follow=True)
    assert form.status_code == 200
    assert form.context["validlink"]
    password = "een-lang-en-eigen-wachtwoord"
    done = colleague.post(
        form.redirect_chain[-1][0],
        {"new_password1": password, "new_password2": password},
    )
    assert done.status_code == 302
    # the link worked once
    assert not Client().get(link, follow=True).context["validlink"]

    # ... logs in, and is sent to set up the app before anything else.
    assert _login(colleague, "nieuw", password).status_code == 302
    people = colleague.get(reverse("core:person_list"))
    assert people.status_code == 302
    assert people["Location"].startswith(reverse("core:two_factor_setup"))
    setup = colleague.get(people["Location"])
    assert "<svg" in setup.content.decode()
    key = colleague.session[SETUP_KEY_SESSION_KEY]
    wrong = colleague.post(setup.request["PATH_INFO"], {"code": "000000"})
    assert wrong.context["form"].errors["code"]

    enrolled = colleague.post(reverse("core:two_factor_setup"), {"code": _code(key)})

    codes = enrolled.context["codes"]
    assert len(codes) == 10
    assert colleague.get(reverse("core:person_list")).status_code == 200

    # The next login asks for a code; a backup code works once.
    colleague.post(reverse("logout"))
    _login(colleague, "nieuw", password)
    asked = colleague.get(reverse("core:person_list"))
    assert asked["Location"].startswith(reverse("core:two_factor_verify"))
    verified = colleague.post(
        asked["Location"], {"code": codes[0], "next": reverse("core:person_list")}
    )
    assert verified["Location"] == reverse("core:person_list")
    assert colleague.get(reverse("core:person_list")).status_code == 200
    colleague.post(reverse("logout"))
    _login(colleague, "nieuw", password)
    reused = colleague.post(reverse("core:two_factor_verify"), {"code": codes[0]})
    assert reused.status_code == 200
    assert colleague.get(reverse("core:person_list")).status_code == 302
    kinds = set(AuditEvent.objects.values_list("summary", flat=True))
    assert {"second factor given", "wrong second factor"} <= kinds


@pytest.fixture
def enrolled(casemanager_almelo):
    device, codes = two_factor_enrol(user=casemanager_almelo, key="ab" * 20)
    return casemanager_almelo, device, codes


def test_a_password_alone_opens_nothing_once_a_device_exists(enrolled):
    user, _device, _codes = enrolled
    client = Client()
    _login(client, user.username)
    for url in (
        reverse("core:home"),
        reverse("core:person_list"),
        reverse("core:account"),
        reverse("admin:index"),
        # and it cannot enrol a new phone in place of the owner's
        reverse("core:two_factor_setup"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("core:two_factor_verify"))


def test_the_app_code_logs_in(enrolled):
    user, device, _codes = enrolled
    client = Client()
    _login(client, user.username)
    response = client.post(
        reverse("core:two_factor_verify"), {"code": _code(device.key)}
    )
    assert response.status_code == 302
    assert client.get(reverse("core:person_list")).status_code == 200


def test_a_wrong_code_makes_the_next_try_wait(enrolled, settings):
    # A factor of an hour keeps the wait longer than any test run.
    settings.OTP_TOTP_THROTTLE_FACTOR = 3600
    user, device, _codes = enrolled
    client = Client()
    _login(client, user.username)
    client.post(reverse("core:two_factor_verify"), {"code": "123456"})

    refused = client.post(
        reverse("core:two_factor_verify"), {"code": _code(device.key)}
    )

    assert refused.status_code == 200
    assert client.get(reverse("core:home")).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_exempt_roles_log_in_with_a_password_alone(settings, almelo):
    settings.KV_TWO_FACTOR_EXEMPT_ROLES = [Role.RESEARCHER]
    researcher = user_with_role(Role.RESEARCHER, almelo, username="onderzoeker")
    both = user_with_role(Role.RESEARCHER, almelo, username="beide")
    user_with_role(Role.CASEMANAGER, almelo, username="cm")
    both.memberships.create(site=almelo, role=Role.CASEMANAGER)
    exempt, mixed = Client(), Client()
    _login(exempt, researcher.username)
    _login(mixed, both.username)
    assert exempt.get(reverse("core:home")).status_code == 200
    assert mixed.get(reverse("core:home"))["Location"].startswith(
        reverse("core:two_factor_setup")
    )


def test_the_qr_code_is_drawn_without_script_or_style(client, casemanager_almelo):
    client.force_login(casemanager_almelo)  # sent to enrolment
    body = client.get(reverse("core:two_factor_setup")).content.decode()
    svg = re.search(r"<svg.*?</svg>", body, re.S).group(0)
    assert "<script" not in svg
    assert "style=" not in svg


def test_backup_codes_can_be_renewed_in_a_verified_session(enrolled):
    user, _device, codes = enrolled
    client = Client()
    _login(client, user.username)
    client.post(reverse("core:two_factor_verify"), {"code": codes[0]})
    renewed = client.post(reverse("core:backup_codes_renew")).context["codes"]
    assert set(renewed).isdisjoint(codes)
    assert StaticToken.objects.filter(device__user=user).count() == 10


def test_functional_admin_resets_the_second_factor_of_own_sites_users_only(
    client, admin_almelo, enrolled, casemanager_krimpen
):
    user, _device, _codes = enrolled
    two_factor_enrol(user=casemanager_krimpen, key="cd" * 20)
    _login_verified(client, admin_almelo)
    reset = client.post(reverse("core:two_factor_reset", args=[user.pk]))
    other = client.post(reverse("core:two_factor_reset", args=[casemanager_krimpen.pk]))

    assert reset.status_code == 302
    assert other.status_code == 404
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert TOTPDevice.objects.filter(user=casemanager_krimpen).exists()
    event = AuditEvent.objects.get(
        kind=AuditKind.TWO_FACTOR, actor=admin_almelo, summary__startswith="reset"
    )
    assert event.details["user"] == user.username
    # at the next login the user sets up a new phone
    client = Client()
    _login(client, user.username)
    assert client.get(reverse("core:home"))["Location"].startswith(
        reverse("core:two_factor_setup")
    )

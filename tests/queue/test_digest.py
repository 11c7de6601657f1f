"""The daily reminder e-mail: counts per kind, a link, no names; opt-out;
once a day; audited."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from core.digest import digest_lines, digests_send_daily
from core.models import AuditEvent, AuditKind, NotificationSettings
from tests.queue.builders import CASEMANAGER_COUNTS, RESEARCHER_COUNTS, waiting_work

pytestmark = pytest.mark.django_db


def _mail_to(address: str):
    found = [message for message in mail.outbox if address in message.to]
    assert len(found) == 1, [m.to for m in mail.outbox]
    return found[0]


def test_each_user_gets_the_counts_of_their_own_work_and_a_link(settings):
    settings.KV_BASE_URL = "https://kv.example.nl"
    work = waiting_work()
    assert digests_send_daily() == 2
    researcher_mail = _mail_to(work.researcher.email)
    assert "Metingen die open staan: 1" in researcher_mail.body
    assert "Metingen over hun datum: 1" in researcher_mail.body
    assert "https://kv.example.nl/evaluation/" in researcher_mail.body
    casemanager_mail = _mail_to(work.casemanager.email)
    for words in (
        "Intakestappen over hun datum: 1",
        "Voortgangsbesprekingen van het plan te laat: 1",
        "Activiteiten over hun datum: 1",
        "Mensen in een verblijf zonder nodige toestemming: 1",
    ):
        assert words in casemanager_mail.body
    assert "https://kv.example.nl/account/notifications/" in casemanager_mail.body
    # nobody without a role, and nothing about one user in the other's mail
    assert len(mail.outbox) == 2
    assert "Metingen" not in casemanager_mail.body


def test_the_mail_names_nobody(settings):
    work = waiting_work()
    digests_send_daily()
    secrets = [
        work.person.first_name,
        work.person.last_name,
        work.person.pseudonym,
        work.candidate.last_name,
        work.candidate.pseudonym,
        work.person.dji_number,
    ]
    for message in mail.outbox:
        text = message.subject + message.body
        assert [s for s in secrets if s and s in text] == []


def test_counts_are_the_numbers_on_the_pages(client):
    """The e-mail reuses the home page's selectors: the same numbers."""
    work = waiting_work()
    client.force_login(work.casemanager)
    home = client.get(reverse("core:home")).content.decode()
    lines = {line.key: line.count for line in digest_lines(work.casemanager)}
    assert lines == CASEMANAGER_COUNTS
    assert '<div class="big" id="count-reviews">1</div>' in home
    assert '<div class="big" id="count-consents">1</div>' in home
    assert {
        line.key: line.count for line in digest_lines(work.researcher)
    } == RESEARCHER_COUNTS


def test_sending_is_audited_with_the_counts():
    work = waiting_work()
    digests_send_daily()
    events = AuditEvent.objects.filter(kind=AuditKind.DIGEST)
    assert {event.actor_username: event.details["counts"] for event in events} == {
        work.researcher.username: RESEARCHER_COUNTS,
        work.casemanager.username: CASEMANAGER_COUNTS,
    }


def test_one_mail_a_day_even_when_the_task_runs_again():
    waiting_work()
    assert digests_send_daily() == 2
    assert digests_send_daily() == 0
    assert len(mail.outbox) == 2


def test_nothing_waiting_means_no_mail(db):
    work = waiting_work()
    work.researcher.memberships.all().delete()
    work.casemanager.memberships.all().delete()
    assert digests_send_daily() == 0
    assert mail.outbox == []


def test_a_user_switches_the_mail_off_and_on_on_their_notifications_page(client):
    work = waiting_work()
    client.force_login(work.casemanager)
    home = client.get(reverse("core:home")).content.decode()
    assert reverse("core:account") in home  # the header links to the account
    account = client.get(reverse("core:account")).content.decode()
    assert reverse("core:account_notifications") in account  # which links to it
    page = client.get(reverse("core:account_notifications"))
    assert page.status_code == 200
    text = page.content.decode()
    assert work.casemanager.email in text
    assert 'data-key="consents_missing"' in text  # today's counts shown
    response = client.post(reverse("core:account_notifications"), {})
    assert response.status_code == 302
    assert not NotificationSettings.objects.get(user=work.casemanager).daily_digest
    digests_send_daily()
    assert [m.to for m in mail.outbox] == [[work.researcher.email]]
    client.post(reverse("core:account_notifications"), {"daily_digest": "on"})
    assert NotificationSettings.objects.get(user=work.casemanager).daily_digest


def test_a_user_without_an_address_is_told_so(client):
    work = waiting_work()
    work.casemanager.email = ""
    work.casemanager.save()
    client.force_login(work.casemanager)
    page = client.get(reverse("core:account_notifications")).content.decode()
    assert 'id="no-email"' in page
    digests_send_daily()
    assert [m.to for m in mail.outbox] == [[work.researcher.email]]


def test_a_failed_send_is_retried_for_that_user_only(monkeypatch):
    work = waiting_work()
    import core.digest

    real = core.digest.send_mail

    def refuse_casemanager(**kwargs):
        if kwargs["recipient_list"] == [work.casemanager.email]:
            raise OSError("SMTP server unreachable")
        return real(**kwargs)

    monkeypatch.setattr(core.digest, "send_mail", refuse_casemanager)
    with pytest.raises(RuntimeError):
        digests_send_daily()
    assert [m.to for m in mail.outbox] == [[work.researcher.email]]
    monkeypatch.setattr(core.digest, "send_mail", real)
    assert digests_send_daily() == 1
    assert [m.to for m in mail.outbox][-1] == [work.casemanager.email]

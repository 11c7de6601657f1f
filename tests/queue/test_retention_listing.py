"""The monthly retention listing: stored per site, shown to that site's
functional administrators only, e-mailed as counts, audited; it changes
nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from core.models import AuditEvent, AuditKind, Person, RetentionListing
from core.scoping import Role
from core.tasks import retention_listing_monthly
from tests.factories import IntakeCaseFactory, SiteFactory, StayFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def past_retention(settings):
    settings.KV_RETENTION_YEARS = {
        "intake_case": 2,
        "stay": 5,
        "person": 2,
        "audit_event": 7,
    }
    almelo = SiteFactory(code="almelo", name="KV Almelo")
    krimpen = SiteFactory(code="krimpen", name="KV Krimpen")
    due = [
        IntakeCaseFactory(
            site=almelo,
            person__last_name="Afgewezenlanggeleden",
            opened_on=datetime.date(2014, 6, 1),
            outcome="rejected",
            closed_on=datetime.date(2015, 1, 1),
        ).person,
        StayFactory(
            site=almelo,
            person__last_name="Uitgestroomdlanggeleden",
            placed_on=datetime.date(2010, 1, 1),
            ended_on=datetime.date(2012, 1, 1),
            outflow_type="end_of_sentence",
        ).person,
    ]
    StayFactory(site=krimpen, placed_on=datetime.date(2024, 1, 1))  # still running
    admin = user_with_role(Role.FUNCTIONAL_ADMIN, almelo, username="frank")
    admin.email = "frank@example.nl"
    admin.save()
    other_admin = user_with_role(Role.FUNCTIONAL_ADMIN, krimpen, username="kees")
    return almelo, due, admin, other_admin


def test_the_listing_is_stored_mailed_and_audited_without_changing_anyone(
    past_retention, client
):
    almelo, due, admin, other_admin = past_retention
    before = list(Person.objects.order_by("pk").values_list("last_name", flat=True))
    assert retention_listing_monthly() == "1 site listing(s) made"
    listing = RetentionListing.objects.get()
    assert listing.site == almelo
    assert sorted(entry["pseudonym"] for entry in listing.people) == sorted(
        person.pseudonym for person in due
    )
    # nothing pseudonymised
    assert (
        list(Person.objects.order_by("pk").values_list("last_name", flat=True))
        == before
    )
    (message,) = mail.outbox
    assert message.to == ["frank@example.nl"]
    assert "Bij KV Almelo zijn 2 personen over alle bewaartermijnen heen." in (
        message.body
    )
    for person in due:
        assert person.last_name not in message.body
        assert person.pseudonym not in message.body
    event = AuditEvent.objects.get(kind=AuditKind.RETENTION)
    assert event.site == almelo
    assert "nothing changed" in event.summary

    client.force_login(admin)
    page = client.get(reverse("core:retention_listing")).content.decode()
    for person in due:
        assert person.pseudonym in page
        assert person.last_name not in page
    client.force_login(other_admin)
    page = client.get(reverse("core:retention_listing")).content.decode()
    assert due[0].pseudonym not in page
    assert "Nog geen lijst" in page


def test_the_listing_page_is_for_functional_administrators(client, past_retention):
    almelo, *_ = past_retention
    client.force_login(user_with_role(Role.CASEMANAGER, almelo))
    assert client.get(reverse("core:retention_listing")).status_code == 403

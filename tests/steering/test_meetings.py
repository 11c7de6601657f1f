"""Meetings, decisions and follow-up actions: recorded, scoped, audited, and
open actions on the project leader's home page and in the reminder e-mail."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.digest import digest_send
from core.models import AuditEvent, AuditKind, ReadAccess
from core.scoping import Role
from steering.models import Action, Decision, Meeting, MeetingKind
from tests.factories import IntakeCaseFactory, SiteFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    site = SiteFactory(code="almelo", name="KV Almelo")
    MeetingKind.objects.create(site=site, code="stuurgroep", name="Stuurgroep")
    return site


@pytest.fixture
def leader(site):
    return user_with_role(Role.PROJECT_LEADER, site, username="paula")


@pytest.fixture
def meeting(site, leader):
    return Meeting.objects.create(
        site=site,
        kind=site.meeting_kinds.get(),
        held_on=datetime.date(2024, 3, 1),
        created_by=leader,
    )


def test_project_leader_records_a_meeting_decision_and_action(client, site, leader):
    client.force_login(leader)
    response = client.post(
        reverse("steering:meeting_create", args=[site.code]),
        {
            "kind": site.meeting_kinds.get().pk,
            "held_on": "2024-05-02",
            "other_attendees": "Wethouder",
        },
    )
    meeting = Meeting.objects.get()
    assert response["Location"] == meeting.get_absolute_url()
    case = IntakeCaseFactory(site=site)
    client.post(
        reverse("steering:decision_create", args=[meeting.pk]),
        {"text": "Instroom maandelijks bespreken", "case_numbers": f"#{case.pk}"},
    )
    decision = Decision.objects.get()
    assert list(decision.cases.all()) == [case]
    client.post(
        reverse("steering:action_create", args=[meeting.pk]),
        {
            "description": "Cijfers instroom verzamelen",
            "owner": leader.pk,
            "due_on": "2024-06-01",
            "decision": decision.pk,
        },
    )
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Instroom maandelijks bespreken" in page
    assert "Cijfers instroom verzamelen" in page
    assert "Wethouder" in page
    assert AuditEvent.objects.filter(kind=AuditKind.STEERING).count() == 3


def test_a_case_of_another_site_cannot_be_linked(client, site, leader, meeting):
    other = IntakeCaseFactory(site=SiteFactory(code="krimpen"))
    client.force_login(leader)
    response = client.post(
        reverse("steering:decision_create", args=[meeting.pk]),
        {"text": "Besluit", "case_numbers": f"#{other.pk}"},
    )
    assert response.status_code == 200
    assert f"Geen intakezaak van deze KV heeft nummer #{other.pk}" in (
        response.content.decode()
    )
    assert not Decision.objects.exists()


def test_action_owner_must_be_a_user_of_the_site(client, site, leader, meeting):
    stranger = user_with_role(Role.PROJECT_LEADER, SiteFactory(code="krimpen"))
    client.force_login(leader)
    response = client.post(
        reverse("steering:action_create", args=[meeting.pk]),
        {"description": "x", "owner": stranger.pk, "due_on": "2024-06-01"},
    )
    assert response.status_code == 200
    assert not Action.objects.exists()


def test_researcher_sees_pseudonyms_and_the_read_is_logged(client, site, meeting):
    case = IntakeCaseFactory(site=site)
    decision = Decision.objects.create(meeting=meeting, text="Besluit")
    decision.cases.add(case)
    researcher = user_with_role(Role.RESEARCHER, site)
    client.force_login(researcher)
    body = client.get(meeting.get_absolute_url()).content.decode()
    assert case.person.pseudonym in body
    assert case.person.last_name not in body
    assert "decision-create" not in body
    assert ReadAccess.objects.filter(person=case.person, user=researcher).exists()


def test_open_actions_on_home_page_and_in_the_digest(client, site, leader, meeting):
    today = timezone.localdate()
    Action.objects.create(
        meeting=meeting,
        description="Voorstel signalering",
        owner=leader,
        due_on=today - datetime.timedelta(days=3),
    )
    done = Action.objects.create(
        meeting=meeting,
        description="Al gedaan",
        owner=leader,
        due_on=today,
        done_on=today,
    )
    client.force_login(leader)
    home = client.get(reverse("core:home")).content.decode()
    assert "Voorstel signalering" in home
    assert done.description not in home
    assert "1 actie open, 1 te laat" in home
    leader.email = "paula@example.nl"
    leader.save()
    counts = digest_send(user=leader)
    assert counts == {"steering_actions_open": 1, "steering_actions_overdue": 1}
    body = mail.outbox[0].body
    assert "Voorstel signalering" not in body
    assert "/steering/" in body


def test_marking_an_action_done_takes_it_off_the_list(client, site, leader, meeting):
    action = Action.objects.create(
        meeting=meeting,
        description="Bellen met DIZ",
        owner=leader,
        due_on=datetime.date(2024, 4, 1),
    )
    client.force_login(leader)
    url = reverse("steering:action_done", args=[action.pk])
    assert client.post(url, {"done_on": "2024-04-02"}).status_code == 302
    action.refresh_from_db()
    assert action.done_on == datetime.date(2024, 4, 2)
    # done twice (two people at once) is refused with a message, not a 500
    response = client.post(url, {"done_on": "2024-04-03"})
    assert response.status_code == 200
    action.refresh_from_db()
    assert action.done_on == datetime.date(2024, 4, 2)
    index = client.get(reverse("steering:index")).content.decode()
    assert "Bellen met DIZ" not in index


def test_meeting_list_is_paginated(client, site, leader):
    kind = site.meeting_kinds.get()
    for day in range(1, 29):
        Meeting.objects.create(
            site=site, kind=kind, held_on=datetime.date(2024, 2, day)
        )
    client.force_login(leader)
    url = reverse("steering:meeting_list", args=[site.code])
    first = client.get(url).content.decode()
    assert first.count('href="/steering/meetings/') == 25
    assert (
        client.get(url, {"page": "2"})
        .content.decode()
        .count('href="/steering/meetings/')
        == 3
    )
    assert client.get(url, {"page": "x"}).status_code == 200

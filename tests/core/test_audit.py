from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import AuditEvent, AuditKind
from core.scoping import Role
from core.services import membership_grant
from tests.factories import TEST_PASSWORD, PersonFactory


def test_person_history_shows_who_changed_what_from_old_to_new(
    client, casemanager_almelo, almelo
):
    person = PersonFactory(site=almelo, municipality_of_origin="Almelo")
    client.force_login(casemanager_almelo)
    client.post(
        reverse("core:person_update", args=[person.pk]),
        {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "date_of_birth": person.date_of_birth.isoformat(),
            "gender": person.gender,
            "dji_number": person.dji_number,
            "municipality_of_origin": "Hengelo",
            "aftercare_municipality": "",
        },
    )
    body = client.get(reverse("core:person_history", args=[person.pk])).content.decode()
    assert "alice" in body
    assert "<del>Almelo</del> &rarr; Hengelo" in body


def test_login_is_logged(client, casemanager_almelo):
    response = client.post(
        reverse("login"), {"username": "alice", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(kind=AuditKind.LOGIN)
    assert event.actor == casemanager_almelo


def test_failed_login_is_logged_without_password(client, casemanager_almelo):
    client.post(reverse("login"), {"username": "alice", "password": "wrong-one"})
    event = AuditEvent.objects.get(kind=AuditKind.LOGIN_FAILED)
    assert event.actor_username == "alice"
    assert "wrong-one" not in str(event.details)


def test_permission_change_is_logged(admin_almelo, almelo):
    from tests.factories import UserFactory

    newcomer = UserFactory(username="nieuw")
    membership_grant(
        user=newcomer, site=almelo, role=Role.CASEMANAGER, granted_by=admin_almelo
    )
    event = AuditEvent.objects.get(kind=AuditKind.PERMISSION_CHANGE)
    assert event.actor == admin_almelo
    assert {key: event.details[key] for key in ("user", "role", "granted")} == {
        "user": "nieuw",
        "role": "casemanager",
        "granted": True,
    }


def test_audit_log_reads_in_the_readers_language(client, admin_almelo, almelo):
    from tests.factories import UserFactory

    membership_grant(
        user=UserFactory(username="nieuw"),
        site=almelo,
        role=Role.PROJECT_LEADER,
        granted_by=admin_almelo,
    )
    client.force_login(admin_almelo)
    page = client.get(reverse("core:audit_log")).content.decode()
    assert "Rol projectleider bij KV Almelo toegekend aan nieuw" in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("core:audit_log")).content.decode()
    assert "Role project leader at KV Almelo given to nieuw" in page


def test_audit_log_page_is_for_functional_admins_only(
    client, admin_almelo, casemanager_almelo
):
    client.force_login(casemanager_almelo)
    assert client.get(reverse("core:audit_log")).status_code == 403
    client.force_login(admin_almelo)
    assert client.get(reverse("core:audit_log")).status_code == 200


def test_history_shows_related_objects_and_choices_by_name(
    client, casemanager_almelo, almelo
):
    from intake.models import IntakeCase
    from tests.factories import IntakeCaseFactory

    case = IntakeCaseFactory(site=almelo)
    case.outcome = "withdrawn"
    case.save()
    client.force_login(casemanager_almelo)
    body = client.get(
        reverse("core:person_history", args=[case.person_id])
    ).content.decode()
    label = dict(IntakeCase._meta.get_field("outcome").flatchoices)["withdrawn"]
    assert f"&rarr; {label}" in body


def _history_queries(client, person) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("core:person_history", args=[person.pk]))
    assert response.status_code == 200
    return len(queries)


def test_history_page_costs_the_same_queries_for_few_or_many_records(
    client, casemanager_almelo, almelo
):
    from tests.factories import ContactPersonFactory, StayFactory, StayPhaseFactory

    person = PersonFactory(site=almelo)
    stay = StayFactory(site=almelo, person=person)
    StayPhaseFactory(stay=stay)
    contact = ContactPersonFactory()
    from tests.factories import CaseRoleFactory

    CaseRoleFactory(person=person, contact=contact, name="")
    client.force_login(casemanager_almelo)
    few = _history_queries(client, person)
    for _ in range(6):
        CaseRoleFactory(person=person, contact=ContactPersonFactory(), name="")
    assert _history_queries(client, person) <= few


def test_history_stays_readable_after_a_role_and_its_contact_are_deleted(
    client, casemanager_almelo, almelo
):
    from django.db.models import ProtectedError

    from tests.factories import CaseRoleFactory, ContactPersonFactory

    person = PersonFactory(site=almelo)
    contact = ContactPersonFactory(name="Demo-Mentor Weg")
    role = CaseRoleFactory(person=person, contact=contact, name="")
    with pytest.raises(ProtectedError):
        contact.delete()  # a contact who holds a role stays
    role.delete()
    contact.delete()
    client.force_login(casemanager_almelo)
    response = client.get(reverse("core:person_history", args=[person.pk]))
    assert response.status_code == 200

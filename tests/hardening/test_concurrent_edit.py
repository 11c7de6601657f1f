"""Two casemanagers editing the same person: the later save is refused with
the differences shown, and nothing either of them typed is lost."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from core.concurrency import CONCURRENT_EDIT_MESSAGE, ConcurrentEditError
from core.models import Person
from core.scoping import Role
from core.services import person_update
from tests.factories import PersonFactory, user_with_role


def _form_data(person: Person, **changes: str) -> dict[str, str]:
    data = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "date_of_birth": person.date_of_birth.isoformat(),
        "gender": person.gender,
        "dji_number": person.dji_number,
        "municipality_of_origin": person.municipality_of_origin,
        "aftercare_municipality": person.aftercare_municipality,
        "version": str(person.version),
    }
    data.update(changes)
    return data


@pytest.fixture
def two_sessions(almelo, casemanager_almelo):
    colleague = user_with_role(Role.CASEMANAGER, almelo, username="carla")
    first, second = Client(), Client()
    first.force_login(casemanager_almelo)
    second.force_login(colleague)
    return first, second


def test_stale_save_is_refused_and_shows_what_changed(almelo, two_sessions):
    person = PersonFactory(site=almelo, last_name="Oud", municipality_of_origin="X")
    url = reverse("core:person_update", args=[person.pk])
    first, second = two_sessions
    # Both open the edit page at version 1.
    assert 'name="version" value="1"' in first.get(url).content.decode()
    assert 'name="version" value="1"' in second.get(url).content.decode()

    saved = first.post(url, _form_data(person, last_name="Eerste"))
    assert saved.status_code == 302

    refused = second.post(
        url, _form_data(person, last_name="Tweede", municipality_of_origin="Goes")
    )

    assert refused.status_code == 200
    body = refused.content.decode()
    assert str(CONCURRENT_EDIT_MESSAGE) in body
    changes = {c.field: c for c in refused.context["form"].concurrent_changes}
    assert changes["last_name"].stored == "Eerste"
    assert changes["last_name"].submitted == "Tweede"
    # The second user's input is still in the form, ready to save again.
    assert 'value="Tweede"' in body
    assert 'value="Goes"' in body
    person.refresh_from_db()
    assert (person.last_name, person.municipality_of_origin) == ("Eerste", "X")
    assert person.version == 2


def test_saving_again_after_a_conflict_keeps_the_second_users_input(
    almelo, two_sessions
):
    person = PersonFactory(site=almelo, last_name="Oud")
    url = reverse("core:person_update", args=[person.pk])
    first, second = two_sessions
    first.post(url, _form_data(person, last_name="Eerste"))
    refused = second.post(url, _form_data(person, last_name="Tweede"))
    assert 'name="version" value="2"' in refused.content.decode()

    resubmitted = second.post(url, _form_data(person, last_name="Tweede", version="2"))

    assert resubmitted.status_code == 302
    person.refresh_from_db()
    assert (person.last_name, person.version) == ("Tweede", 3)
    # Both saves are in the audit history.
    assert [h.last_name for h in person.history.order_by("history_id")][-2:] == [
        "Eerste",
        "Tweede",
    ]


def test_service_refuses_an_outdated_version_without_writing(almelo):
    person = PersonFactory(site=almelo, first_name="Jan")
    stale = Person.objects.get(pk=person.pk)
    person_update(person=person, data={"first_name": "Piet"})

    with pytest.raises(ConcurrentEditError) as caught:
        person_update(person=stale, data={"first_name": "Klaas"})

    assert [(c.field, c.stored, c.submitted) for c in caught.value.changes] == [
        ("first_name", "Piet", "Klaas")
    ]
    person.refresh_from_db()
    assert (person.first_name, person.version) == ("Piet", 2)


def test_stale_save_of_exactly_the_stored_values_is_accepted(almelo):
    person = PersonFactory(site=almelo, first_name="Jan", last_name="Smit")
    stale = Person.objects.get(pk=person.pk)
    person_update(person=person, data={"first_name": "Piet"})

    saved = person_update(person=stale, data={"first_name": "Piet"})

    assert saved.version == 2
    person.refresh_from_db()
    assert (person.first_name, person.version) == ("Piet", 2)


def test_only_fields_that_differ_are_reported(almelo):
    person = PersonFactory(site=almelo, first_name="Jan", last_name="Smit")
    stale = Person.objects.get(pk=person.pk)
    person_update(person=person, data={"first_name": "Piet", "last_name": "Bos"})

    with pytest.raises(ConcurrentEditError) as caught:
        person_update(person=stale, data={"first_name": "Piet", "last_name": "Vos"})

    assert [c.field for c in caught.value.changes] == ["last_name"]
    assert caught.value.stored_version == 2

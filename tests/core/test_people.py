from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Person
from core.services import DuplicatePersonError, person_create
from tests.factories import PersonFactory


def _person_data(site, **overrides):
    data = {
        "site": site.pk,
        "first_name": "Jan",
        "last_name": "Fictief",
        "date_of_birth": "1990-05-17",
        "gender": "male",
        "dji_number": "1234567",
        "municipality_of_origin": "Enschede",
        "aftercare_municipality": "",
    }
    data.update(overrides)
    return data


def test_person_gets_a_random_pseudonym_unrelated_to_identity(almelo):
    first = person_create(
        site=almelo,
        first_name="Jan",
        last_name="Fictief",
        date_of_birth=datetime.date(1990, 5, 17),
        gender="male",
        dji_number="1234567",
    )
    second = PersonFactory(site=almelo)
    assert first.pseudonym != second.pseudonym
    assert first.pseudonym.startswith("P")
    assert len(first.pseudonym) == 10
    for fragment in ("Jan", "Fictief", "1990", "1234567"):
        assert fragment.upper() not in first.pseudonym


def test_same_dji_number_is_refused_as_duplicate(almelo):
    existing = PersonFactory(site=almelo, dji_number="7654321")
    with pytest.raises(DuplicatePersonError) as error:
        person_create(
            site=almelo,
            first_name="Ander",
            last_name="Iemand",
            date_of_birth=datetime.date(1980, 1, 1),
            gender="male",
            dji_number="7654321",
        )
    assert error.value.matches == [existing]


def test_same_name_and_birth_date_is_refused_as_duplicate(almelo):
    existing = PersonFactory(
        site=almelo,
        first_name="Kees",
        last_name="Voorbeeld",
        date_of_birth=datetime.date(1985, 3, 3),
    )
    with pytest.raises(DuplicatePersonError):
        person_create(
            site=almelo,
            first_name="kees",
            last_name="VOORBEELD",
            date_of_birth=datetime.date(1985, 3, 3),
            gender="male",
        )
    assert Person.objects.count() == 1
    assert existing.pk


def test_casemanager_registers_a_person(client, casemanager_almelo, almelo):
    client.force_login(casemanager_almelo)
    response = client.post(reverse("core:person_create"), _person_data(almelo))
    person = Person.objects.get()
    assert response.status_code == 302
    assert response["Location"] == person.get_absolute_url()
    assert person.site == almelo
    assert person.municipality_of_origin == "Enschede"


def test_duplicate_registration_shows_existing_record_and_keeps_input(
    client, casemanager_almelo, almelo
):
    existing = PersonFactory(site=almelo, dji_number="1234567")
    client.force_login(casemanager_almelo)
    response = client.post(
        reverse("core:person_create"),
        _person_data(almelo, first_name="Nieuwe", municipality_of_origin="Hengelo"),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert existing.get_absolute_url() in body
    assert 'value="Nieuwe"' in body
    assert 'value="Hengelo"' in body
    assert Person.objects.count() == 1


def test_invalid_person_form_keeps_what_was_typed(client, casemanager_almelo, almelo):
    client.force_login(casemanager_almelo)
    response = client.post(
        reverse("core:person_create"),
        _person_data(almelo, date_of_birth="31-31-1990", last_name="Bewaard"),
    )
    assert response.status_code == 200
    assert 'value="Bewaard"' in response.content.decode()
    assert Person.objects.count() == 0


def test_casemanager_cannot_register_at_another_site(
    client, casemanager_almelo, krimpen
):
    client.force_login(casemanager_almelo)
    response = client.post(reverse("core:person_create"), _person_data(krimpen))
    assert response.status_code == 200
    assert Person.objects.count() == 0


def test_person_list_shows_only_own_site(client, casemanager_almelo, almelo, krimpen):
    PersonFactory(site=almelo, last_name="Eigensite")
    PersonFactory(site=krimpen, last_name="Anderesite")
    client.force_login(casemanager_almelo)
    body = client.get(reverse("core:person_list")).content.decode()
    assert "Eigensite" in body
    assert "Anderesite" not in body


def test_person_list_query_count_does_not_grow(
    client, casemanager_almelo, almelo, django_assert_max_num_queries
):
    PersonFactory.create_batch(3, site=almelo)
    client.force_login(casemanager_almelo)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("core:person_list"))
    PersonFactory.create_batch(30, site=almelo)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("core:person_list"))


def test_birth_date_in_the_future_is_refused_and_input_kept(
    client, casemanager_almelo, almelo
):
    client.force_login(casemanager_almelo)
    response = client.post(
        reverse("core:person_create"),
        _person_data(almelo, date_of_birth="2090-01-01", last_name="Toekomst"),
    )
    assert response.status_code == 200
    assert 'value="Toekomst"' in response.content.decode()
    assert Person.objects.count() == 0


def test_implausible_age_is_refused(almelo):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="date_of_birth"):
        person_create(
            site=almelo,
            first_name="Kind",
            last_name="Fictief",
            date_of_birth=timezone.localdate() - datetime.timedelta(days=5 * 365),
            gender="male",
        )


def test_dji_number_must_be_digits(client, casemanager_almelo, almelo):
    client.force_login(casemanager_almelo)
    response = client.post(
        reverse("core:person_create"), _person_data(almelo, dji_number="abc")
    )
    assert response.status_code == 200
    assert Person.objects.count() == 0

"""Two casemanagers editing the same person: the later save is refused with
the differences shown, and nothing either of them typed is lost."""

from __future__ import annotations

import pytest
from django.forms import CheckboxInput
from django.test import Client
from django.urls import reverse

from core.concurrency import CONCURRENT_EDIT_MESSAGE, ConcurrentEditError
from core.models import Membership, Person
from core.scoping import Role
from core.services import person_update
from tests.factories import PersonFactory, StayFactory, user_with_role


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
    first.session_user, second.session_user = casemanager_almelo, colleague
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


def _posted(form) -> dict:
    """What the browser would post back for ``form`` as rendered."""
    data = {}
    for bound in form:
        value = bound.value()
        if isinstance(bound.field.widget, CheckboxInput):
            if value:
                data[bound.html_name] = "on"
        elif value is not None:
            data[bound.html_name] = value
    return data


def test_plan_edited_in_two_sessions_refuses_the_stale_save(almelo, two_sessions):
    import datetime

    from core.reference import sites_load
    from trajectories.reference import plans_load
    from trajectories.services import plan_create

    sites = {site.code: site for site in sites_load()}
    plans_load()
    site = sites["middelburg"]
    for client in two_sessions:
        Membership.objects.create(
            user=client.session_user, site=site, role=Role.CASEMANAGER
        )
    stay = StayFactory(
        site=site,
        person=PersonFactory(site=site),
        place_type=site.place_types.order_by("code").first(),
    )
    plan = plan_create(
        stay=stay,
        data={
            "drawn_up_on": datetime.date(2020, 9, 1),
            "personal_goal": "Baan behouden",
            "signed_on": datetime.date(2020, 9, 2),
            "agreement_document": "Overeenkomst",
        },
    )
    url = reverse("trajectories:plan_update", args=[plan.pk])
    first, second = two_sessions
    first_form = _posted(first.get(url).context["form"])
    second_form = _posted(second.get(url).context["form"])

    saved = first.post(url, first_form | {"personal_goal": "Eerste doel"})
    refused = second.post(url, second_form | {"personal_goal": "Tweede doel"})

    assert saved.status_code == 302, saved.context["form"].errors
    assert refused.status_code == 200
    body = refused.content.decode()
    assert str(CONCURRENT_EDIT_MESSAGE) in body
    changes = {c.field: c for c in refused.context["form"].concurrent_changes}
    assert (changes["personal_goal"].stored, changes["personal_goal"].submitted) == (
        "Eerste doel",
        "Tweede doel",
    )
    assert "Tweede doel" in body
    plan.refresh_from_db()
    assert plan.personal_goal == "Eerste doel"

    again = second.post(url, _posted(refused.context["form"]))

    assert again.status_code == 302
    plan.refresh_from_db()
    assert plan.personal_goal == "Tweede doel"


def test_measurement_entered_in_two_sessions_refuses_the_stale_save(almelo):
    import datetime

    from evaluation.models import Answer, Measurement
    from evaluation.services import schedule_sync_for_stay
    from tests.factories import catalogue_from_data

    catalogue_from_data(almelo)
    stay = StayFactory(
        site=almelo,
        person=PersonFactory(site=almelo),
        placed_on=datetime.date(2021, 3, 1),
    )
    schedule_sync_for_stay(stay=stay, today=datetime.date(2021, 3, 1))
    nulmeting = Measurement.objects.get(stay=stay, moment="nulmeting")
    first, second = Client(), Client()
    first.force_login(user_with_role(Role.RESEARCHER, almelo, username="r1"))
    second.force_login(user_with_role(Role.RESEARCHER, almelo, username="r2"))
    url = reverse("evaluation:measurement_edit", args=[nulmeting.pk])
    var = f"t{almelo.pk}_type_delict"
    opened = [c.get(url).context["form"]["version"].value() for c in (first, second)]

    saved = first.post(url, {"version": opened[0], f"v_{var}": "inbraak"})
    refused = second.post(url, {"version": opened[1], f"v_{var}": "mishandeling"})

    assert saved.status_code == 302
    assert refused.status_code == 200
    assert str(CONCURRENT_EDIT_MESSAGE) in refused.content.decode()
    assert "mishandeling" in refused.content.decode()
    assert Answer.objects.get(item__var=var).value == "inbraak"

    version = refused.context["form"]["version"].value()
    again = second.post(url, {"version": version, f"v_{var}": "mishandeling"})

    assert again.status_code == 302
    assert Answer.objects.get(item__var=var).value == "mishandeling"

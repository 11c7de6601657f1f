"""The data-subject access document (AVG art. 15) and the read-access log
pages of functional administrators."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.urls import reverse
from openpyxl import load_workbook

from core.models import (
    AuditEvent,
    AuditKind,
    Person,
    ReadAccess,
    SubjectAccessDisclosure,
)
from core.scoping import Role
from tests.factories import SiteFactory, user_with_role
from tests.world import build_world


@pytest.fixture
def world(db):
    site = SiteFactory(code="eigen", name="KV Eigen")
    other = SiteFactory(code="ander", name="KV Ander")
    return site, build_world(site, "OWNMARK"), build_world(other, "ZZLEAKZZ")


def _person_models() -> list:
    return [
        model
        for model in apps.get_models()
        if hasattr(model, "person_lookup") and not hasattr(model, "instance_type")
    ]


def _produce(client, person: Person, **data) -> object:
    return client.post(
        reverse("core:subject_access", args=[person.pk]),
        {"recipient": "De persoon zelf", "note": "verzoek van 1 maart", **data},
    )


def test_access_document_holds_everything_on_the_person(client, world):
    site, own, _other = world
    person = own["_person"]
    reader = user_with_role(Role.CASEMANAGER, site, username="lezer")
    client.force_login(reader)
    client.get(reverse("core:person_detail", args=[person.pk]))
    admin = user_with_role(Role.FUNCTIONAL_ADMIN, site, username="beheer")
    client.force_login(admin)

    response = _produce(client, person)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    sheets = {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in workbook.worksheets
    }
    # Every model holding a person's data has its sheet, with all their rows.
    for model in _person_models():
        title = str(model._meta.verbose_name_plural)[:31]
        if model is Person:
            title = "Ingeschreven gegevens"
        rows = model._default_manager.filter(**{model.person_lookup: person.pk}).count()
        assert title in sheets, title
        assert len(sheets[title]) - 1 == rows, title
    text = repr(sheets)
    assert person.last_name in text
    assert "ZZLEAKZZ" not in text
    # the change history, who looked at the file, and who receives this
    assert len(sheets["Wijzigingsgeschiedenis"]) > 1
    assert any("lezer" in row for row in sheets["Wie keek in het dossier"])
    assert "De persoon zelf" in repr(sheets["Overzicht"])
    disclosure = SubjectAccessDisclosure.objects.get()
    assert (disclosure.person, disclosure.recipient, disclosure.created_by) == (
        person,
        "De persoon zelf",
        admin,
    )
    event = AuditEvent.objects.get(kind=AuditKind.SUBJECT_ACCESS)
    assert (event.actor, event.site) == (admin, site)
    # producing it is itself a read of the file
    assert ReadAccess.objects.filter(user=admin, person=person).exists()


def test_access_document_writes_text_never_formulas(client, world):
    site, own, _other = world
    person = own["_person"]
    Person.objects.filter(pk=person.pk).update(
        municipality_of_origin='=HYPERLINK("http://example.com","klik")'
    )
    client.force_login(user_with_role(Role.FUNCTIONAL_ADMIN, site))

    response = _produce(client, person, recipient="+31 advocaat")

    workbook = load_workbook(io.BytesIO(response.content))
    values = [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if isinstance(cell, str)
    ]
    assert all(not v.startswith(("=", "+", "-", "@")) for v in values)
    assert '\'=HYPERLINK("http://example.com","klik")' in values
    assert "'+31 advocaat" in values


def test_access_document_only_for_own_sites_people(client, world):
    site, _own, other = world
    client.force_login(user_with_role(Role.FUNCTIONAL_ADMIN, site))
    response = _produce(client, other["_person"])
    assert response.status_code == 404
    assert not SubjectAccessDisclosure.objects.exists()


def test_read_log_per_site_and_per_person(client, world):
    site, own, other = world
    casemanager = user_with_role(Role.CASEMANAGER, site, username="kijker")
    client.force_login(casemanager)
    client.get(reverse("core:person_detail", args=[own["person_pk"]]))
    client.get(reverse("trajectories:stay_detail", args=[own["stay_pk"]]))
    other_reader = user_with_role(
        Role.CASEMANAGER, other["_person"].site, username="elders"
    )
    client.force_login(other_reader)
    client.get(reverse("core:person_detail", args=[other["person_pk"]]))

    client.force_login(user_with_role(Role.FUNCTIONAL_ADMIN, site))
    site_log = client.get(reverse("core:read_log"))
    person_log = client.get(reverse("core:person_read_log", args=[own["person_pk"]]))
    foreign_log = client.get(reverse("core:person_read_log", args=[other["person_pk"]]))

    site_reads = list(site_log.context["page"])
    assert {r.username for r in site_reads} == {"kijker"}
    assert [r.path for r in person_log.context["page"]][-2:] == [
        reverse("trajectories:stay_detail", args=[own["stay_pk"]]),
        reverse("core:person_detail", args=[own["person_pk"]]),
    ]
    assert foreign_log.status_code == 404
    assert "elders" not in site_log.content.decode()


def test_person_search_finds_own_sites_people_only(client, world):
    site, own, other = world
    client.force_login(user_with_role(Role.FUNCTIONAL_ADMIN, site))
    found = client.get(reverse("core:privacy_people"), {"q": "Achternaam"})
    assert [p.pk for p in found.context["people"]] == [own["person_pk"]]
    by_number = client.get(
        reverse("core:privacy_people"), {"q": other["_person"].dji_number}
    )
    assert list(by_number.context["people"]) == []

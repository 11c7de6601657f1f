from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import CaseRole
from partners.services import ORGANISATION_NOT_FOR_SITE, case_role_assign
from tests.factories import (
    CaseRoleFactory,
    ContactPersonFactory,
    NetworkContactFactory,
    NetworkMemberFactory,
    OrganisationFactory,
    PersonFactory,
    RoleContactFactory,
)

pytestmark = pytest.mark.django_db


def test_new_regievoerder_ends_the_previous_one(almelo):
    person = PersonFactory(site=almelo)
    organisation = OrganisationFactory(sites=[almelo])
    first = case_role_assign(
        person=person,
        role="regievoerder",
        organisation=organisation,
        name="Casemanager A",
        started_on=datetime.date(2021, 2, 1),
    )
    case_role_assign(
        person=person,
        role="regievoerder",
        organisation=organisation,
        name="Reclasseringswerker B",
        started_on=datetime.date(2021, 4, 1),
    )
    first.refresh_from_db()
    assert first.ended_on == datetime.date(2021, 3, 31)
    assert CaseRole.objects.filter(person=person, ended_on__isnull=True).count() == 1


def test_organisation_of_another_site_cannot_play_a_role(almelo, krimpen):
    with pytest.raises(ValidationError) as error:
        case_role_assign(
            person=PersonFactory(site=almelo),
            role="mentor",
            organisation=OrganisationFactory(sites=[krimpen]),
            name="Mentor",
            started_on=datetime.date(2021, 2, 1),
        )
    assert error.value.message_dict == {
        "organisation": [str(ORGANISATION_NOT_FOR_SITE)]
    }


def test_role_form_without_anyone_keeps_the_input(client, almelo, casemanager_almelo):
    person = PersonFactory(site=almelo)
    client.force_login(casemanager_almelo)
    response = client.post(
        f"/partners/people/{person.pk}/roles/new/",
        {"role": "buddy", "started_on": "2021-02-01", "note": "Klik is goed"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Klik is goed" in page
    assert 'value="2021-02-01"' in page
    assert not CaseRole.objects.exists()


def _fill(site, person, n):
    organisation = OrganisationFactory(sites=[site])
    for _ in range(n):
        backup = ContactPersonFactory(organisation=organisation)
        contact = ContactPersonFactory(organisation=organisation, backup=backup)
        role = CaseRoleFactory(
            person=person, organisation=organisation, contact=contact, name=""
        )
        RoleContactFactory(case_role=role)
        member = NetworkMemberFactory(person=person)
        NetworkContactFactory(member=member)


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_partner_pages_query_counts_do_not_grow_with_the_data(
    client, almelo, casemanager_almelo, django_assert_max_num_queries
):
    person = PersonFactory(site=almelo)
    client.force_login(casemanager_almelo)
    _fill(almelo, person, 1)
    urls = [f"/partners/people/{person.pk}/", f"/people/{person.pk}/", "/partners/"]
    baseline = {url: _queries(client, url) for url in urls}
    _fill(almelo, person, 6)
    for url in urls:
        with django_assert_max_num_queries(baseline[url]):
            client.get(url)

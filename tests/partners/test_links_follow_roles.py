"""Pages only link to what the user's role may open: no link ends in 403."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import ContactPersonFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

ROLE_FIXTURES = [
    "casemanager_almelo",
    "project_leader_almelo",
    "researcher_almelo",
    "admin_almelo",
]


def _links(html: str) -> set[str]:
    return set(re.findall(r'href="(/(?:partners|trajectories)/[^"]*)"', html))


@pytest.fixture
def organisation(almelo):
    organisation = OrganisationFactory(sites=[almelo], name="Humanitas Almelo")
    ContactPersonFactory(organisation=organisation)
    return organisation


@pytest.mark.parametrize("role", ROLE_FIXTURES)
def test_no_link_on_the_partner_pages_ends_in_403(request, client, role, organisation):
    client.force_login(request.getfixturevalue(role))
    pages = [
        reverse("partners:organisation_list"),
        organisation.get_absolute_url(),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        for link in _links(response.content.decode()):
            assert client.get(link).status_code != 403, (role, page, link)


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("casemanager_almelo", True),
        ("admin_almelo", True),
        ("project_leader_almelo", False),
        ("researcher_almelo", False),
    ],
)
def test_add_organisation_link_only_for_roles_that_may_add(
    request, client, role, shown, organisation
):
    client.force_login(request.getfixturevalue(role))
    html = client.get(reverse("partners:organisation_list")).content.decode()
    assert (reverse("partners:organisation_create") in html) is shown
    assert ('id="organisation-add"' in html) is shown


def test_contact_link_hidden_for_an_organisation_of_another_site(
    client, casemanager_almelo, krimpen
):
    """A national organisation is open to every casemanager; one serving only
    another site is not, so its page offers no 'add a contact person'."""
    other = OrganisationFactory(sites=[krimpen], name="Alleen Krimpen")
    client.force_login(casemanager_almelo)
    response = client.get(other.get_absolute_url())
    assert response.status_code == 404
    national = OrganisationFactory(name="Landelijk")
    html = client.get(national.get_absolute_url()).content.decode()
    assert reverse("partners:contact_create", args=[national.pk]) in html

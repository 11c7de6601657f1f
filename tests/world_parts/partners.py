"""Objects behind the partners URL keywords, for the permission matrix."""

from __future__ import annotations

from typing import Any

from core.models import Site
from tests.factories import (
    CaseRoleFactory,
    ConsentFactory,
    ContactPersonFactory,
    NetworkContactFactory,
    NetworkMemberFactory,
    OrganisationFactory,
    PartnerResponsibilityFactory,
    ResponsibilityTableFactory,
    RoleContactFactory,
)


def build(site: Site, marker: str, world: dict[str, Any]) -> None:
    person = world["_person"]
    organisation = OrganisationFactory(name=f"Organisatie {marker}", sites=[site])
    contact = ContactPersonFactory(organisation=organisation, name=f"Contact {marker}")
    ContactPersonFactory(
        organisation=organisation, name=f"Backup {marker}", backup=contact
    )
    table = ResponsibilityTableFactory(site=site, number="2.9.1")
    PartnerResponsibilityFactory(
        table=table, partner=f"Partner {marker}", organisation=organisation
    )
    case_role = CaseRoleFactory(
        person=person, organisation=organisation, contact=contact, name=""
    )
    RoleContactFactory(case_role=case_role, notes=f"Contact {marker}")
    consent = ConsentFactory(person=person, scope=f"Scope {marker}")
    member = NetworkMemberFactory(person=person, name=f"Netwerk {marker}")
    NetworkContactFactory(member=member, note=f"Bezoek {marker}")
    world.update(
        {
            "organisation_pk": organisation.pk,
            "case_role_pk": case_role.pk,
            "consent_pk": consent.pk,
            "network_member_pk": member.pk,
        }
    )

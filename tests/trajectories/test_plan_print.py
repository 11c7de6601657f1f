"""The individual plan printed for signature in each site's own form, on paper
(print page) and as a PDF download."""

from __future__ import annotations

import re
import zlib

import pytest
from django.urls import reverse

from core.models import AuditEvent, AuditKind
from core.scoping import Role
from partners.models import CaseRoleKind
from tests.factories import (
    ActivityFactory,
    CaseRoleFactory,
    GoalFactory,
    IndividualPlanFactory,
    OrganisationFactory,
    PersonFactory,
    StayFactory,
    user_with_role,
)
from trajectories.models import GoalDomain, PlanFormDefinition

pytestmark = pytest.mark.django_db

SITES = ["almelo", "amsterdam", "krimpen", "middelburg", "rotterdam"]


def _plan(site):
    person = PersonFactory(site=site, first_name="Karel", last_name="Printtest")
    plan = IndividualPlanFactory(stay=StayFactory(site=site, person=person))
    domain = GoalDomain.objects.filter(code__startswith="pf_").first()
    goal = GoalFactory(plan=plan, domain=domain, description="Een eigen woning")
    partner = OrganisationFactory(name="Woningcorporatie Thuis", sites=[site])
    ActivityFactory(
        goal=goal,
        description="Inschrijven als woningzoekende",
        responsible_organisation=partner,
    )
    CaseRoleFactory(
        person=person,
        role=CaseRoleKind.choices[0][0],
        organisation=partner,
        contact=None,
        name="Mevrouw Hulp",
    )
    return plan


def pdf_bookmarks(content: bytes) -> list[str]:
    """The bookmark titles of a PDF: WeasyPrint makes one per heading."""
    titles = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            data = zlib.decompress(match.group(1))
        except zlib.error:
            data = match.group(1)
        for literal, hexa in re.findall(
            rb"/Title (?:\(((?:\\.|[^\\)])*)\)|<([0-9A-Fa-f]+)>)", data
        ):
            if hexa:
                titles.append(bytes.fromhex(hexa.decode()).decode("utf-16"))
            else:
                titles.append(re.sub(rb"\\(.)", rb"\1", literal).decode("latin-1"))
    return titles


@pytest.mark.parametrize("site_code", SITES)
def test_the_print_page_follows_the_sites_plan_form(client, reference, site_code):
    site = reference[site_code]
    definition = PlanFormDefinition.objects.get(site=site)
    plan = _plan(site)
    client.force_login(user_with_role(Role.CASEMANAGER, site, username="cm"))

    response = client.get(reverse("trajectories:plan_print", args=[plan.pk]))

    html = response.content.decode()
    title = re.search(r'id="doc-title">([^<]*)<', html).group(1)
    assert title.lower() == definition.plan_name.lower()
    for spec in definition.field_specs():
        assert str(spec.get("label") or "") in html
    assert "Een eigen woning" in html
    assert "Inschrijven als woningzoekende" in html
    assert "Woningcorporatie Thuis" in html
    assert "Mevrouw Hulp" in html
    assert definition.signatories, site_code
    assert html.count("data-signatory=") == len(definition.signatories)
    for signatory in definition.signatories:
        assert signatory[1:] in html


def test_the_pdf_is_the_same_document_and_its_download_is_audited(client, reference):
    site = reference["middelburg"]
    plan = _plan(site)
    user = user_with_role(Role.CASEMANAGER, site, username="cm")
    client.force_login(user)

    response = client.get(reverse("trajectories:plan_pdf", args=[plan.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"%PDF-")
    bookmarks = pdf_bookmarks(response.content)
    assert "Doelstelling verblijf (overeenkomst)" in bookmarks
    assert any("Een eigen woning" in title for title in bookmarks)
    assert "Handtekeningen" in bookmarks
    event = AuditEvent.objects.get(kind=AuditKind.EXPORT)
    assert event.actor == user
    assert event.details["plan"] == plan.pk
    assert plan.stay.person.last_name not in event.summary_text()


def test_the_print_page_is_for_case_staff_of_the_site_only(client, reference):
    plan = _plan(reference["almelo"])
    client.force_login(
        user_with_role(Role.CASEMANAGER, reference["krimpen"], username="other")
    )
    for name in ("trajectories:plan_print", "trajectories:plan_pdf"):
        assert client.get(reverse(name, args=[plan.pk])).status_code == 404
    client.force_login(
        user_with_role(Role.RESEARCHER, reference["almelo"], username="researcher")
    )
    for name in ("trajectories:plan_print", "trajectories:plan_pdf"):
        assert client.get(reverse(name, args=[plan.pk])).status_code == 403
    assert not AuditEvent.objects.filter(kind=AuditKind.EXPORT).exists()

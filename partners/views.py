"""Views for partner organisations, responsibility tables and, per case,
roles, consents and the social network."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.access import role_required
from core.models import Person, Site
from core.scoping import (
    CASE_READ_ROLES,
    CASE_WRITE_ROLES,
    REFERENCE_ROLES,
    Role,
    get_visible_or_404,
    site_ids_for,
)
from core.search import table_configure
from core.service_forms import GET_POST, can_edit, service_form_view
from partners import selectors, services
from partners.filters import OrganisationFilter
from partners.forms import (
    CaseRoleForm,
    ConsentForm,
    ConsentWithdrawForm,
    ContactPersonForm,
    NetworkContactForm,
    NetworkMemberForm,
    OrganisationForm,
    RoleContactForm,
)
from partners.models import CaseRole, Consent, NetworkMember, Organisation
from partners.tables import OrganisationTable

PARTNER_WRITE_ROLES = frozenset({Role.CASEMANAGER, Role.FUNCTIONAL_ADMIN})


def _person(request: HttpRequest, pk: int, roles: frozenset[str]) -> Person:
    return get_visible_or_404(
        Person.objects.select_related("site"), request.user, roles, pk=pk
    )


@role_required(REFERENCE_ROLES)
def organisation_list_view(request: HttpRequest) -> HttpResponse:
    organisations = selectors.organisation_list(user=request.user, filters=request.GET)
    table = OrganisationTable(organisations)
    table_configure(request, table)
    context = {
        "table": table,
        "filter": OrganisationFilter(request.GET),
        # Same roles as organisation_create_view, so the link never ends in 403.
        "can_add": bool(site_ids_for(request.user, PARTNER_WRITE_ROLES)),
    }
    return render(request, "partners/organisation_list.html", context)


@role_required(REFERENCE_ROLES)
def organisation_detail_view(
    request: HttpRequest, organisation_pk: int
) -> HttpResponse:
    organisation = get_visible_or_404(
        Organisation, request.user, REFERENCE_ROLES, pk=organisation_pk
    )
    user_sites = site_ids_for(request.user, REFERENCE_ROLES)
    context = {
        "organisation": organisation,
        "sites": [s for s in organisation.sites.all() if s.pk in user_sites],
        "contacts": selectors.organisation_contacts(organisation),
        # Same check as contact_create_view: a write role at a site this
        # organisation serves (or any site for a national one).
        "can_edit": Organisation.objects.visible_to(request.user, PARTNER_WRITE_ROLES)
        .filter(pk=organisation.pk)
        .exists(),
    }
    return render(request, "partners/organisation_detail.html", context)


@role_required(PARTNER_WRITE_ROLES)
@GET_POST
def organisation_create_view(request: HttpRequest) -> HttpResponse:
    sites = Site.objects.visible_to(request.user, PARTNER_WRITE_ROLES)
    form = OrganisationForm(request.POST or None, sites=sites)
    return service_form_view(
        request,
        form,
        lambda data: services.organisation_create(
            name=data["name"],
            kind=data["kind"],
            sites=list(data["sites"]),
            phone=data["phone"],
            email=data["email"],
        ).get_absolute_url(),
        title=_("Add an organisation"),
        back=reverse("partners:organisation_list"),
        success=_("Organisation added."),
    )


@role_required(PARTNER_WRITE_ROLES)
@GET_POST
def contact_create_view(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    organisation = get_visible_or_404(
        Organisation, request.user, PARTNER_WRITE_ROLES, pk=organisation_pk
    )
    form = ContactPersonForm(request.POST or None, organisation=organisation)
    return service_form_view(
        request,
        form,
        lambda data: services.contact_person_create(organisation=organisation, **data),
        title=_("Add a contact person"),
        back=organisation.get_absolute_url(),
        success=_("Contact person added."),
    )


@role_required(REFERENCE_ROLES)
def site_responsibilities_view(request: HttpRequest, site_code: str) -> HttpResponse:
    site = get_visible_or_404(Site, request.user, REFERENCE_ROLES, code=site_code)
    return render(
        request,
        "partners/site_responsibilities.html",
        {"site": site, "tables": selectors.responsibility_tables(site)},
    )


@role_required(CASE_READ_ROLES)
def person_partners_view(request: HttpRequest, person_pk: int) -> HttpResponse:
    person = _person(request, person_pk, CASE_READ_ROLES)
    context = {
        "person": person,
        "can_edit": can_edit(request.user, person.site_id),
        **selectors.case_partners(person=person),
    }
    return render(request, "partners/person_partners.html", context)


@role_required(CASE_WRITE_ROLES)
@GET_POST
def case_role_create_view(request: HttpRequest, person_pk: int) -> HttpResponse:
    person = _person(request, person_pk, CASE_WRITE_ROLES)
    form = CaseRoleForm(request.POST or None, site=person.site)
    return service_form_view(
        request,
        form,
        lambda data: services.case_role_assign(person=person, **data),
        title=_("Who plays which role"),
        back=_partners_url(person),
        success=_("Role registered."),
        context={"person": person},
    )


@role_required(CASE_WRITE_ROLES)
@GET_POST
def role_contact_create_view(request: HttpRequest, case_role_pk: int) -> HttpResponse:
    case_role = get_visible_or_404(
        CaseRole.objects.select_related("person__site"),
        request.user,
        CASE_WRITE_ROLES,
        pk=case_role_pk,
    )
    form = RoleContactForm(request.POST or None)
    return service_form_view(
        request,
        form,
        lambda data: services.role_contact_record(case_role=case_role, **data),
        title=_("Log a contact"),
        back=_partners_url(case_role.person),
        success=_("Contact logged."),
        context={"person": case_role.person},
    )


@role_required(CASE_WRITE_ROLES)
@GET_POST
def consent_create_view(request: HttpRequest, person_pk: int) -> HttpResponse:
    person = _person(request, person_pk, CASE_WRITE_ROLES)
    form = ConsentForm(request.POST or None)
    return service_form_view(
        request,
        form,
        lambda data: services.consent_record(person=person, **data),
        title=_("Register a consent"),
        back=_partners_url(person),
        success=_("Consent registered."),
        context={"person": person},
    )


@role_required(CASE_WRITE_ROLES)
@GET_POST
def consent_withdraw_view(request: HttpRequest, consent_pk: int) -> HttpResponse:
    consent = get_visible_or_404(
        Consent.objects.select_related("person__site"),
        request.user,
        CASE_WRITE_ROLES,
        pk=consent_pk,
    )
    form = ConsentWithdrawForm(request.POST or None)
    return service_form_view(
        request,
        form,
        lambda data: services.consent_withdraw(consent=consent, **data),
        title=_("Withdraw a consent"),
        back=_partners_url(consent.person),
        success=_("Consent withdrawn."),
        context={"person": consent.person},
    )


@role_required(CASE_WRITE_ROLES)
@GET_POST
def network_member_create_view(request: HttpRequest, person_pk: int) -> HttpResponse:
    person = _person(request, person_pk, CASE_WRITE_ROLES)
    form = NetworkMemberForm(request.POST or None)
    return service_form_view(
        request,
        form,
        lambda data: services.network_member_add(person=person, **data),
        title=_("Add someone from the social network"),
        back=_partners_url(person),
        success=_("Added to the social network."),
        context={"person": person},
    )


@role_required(CASE_WRITE_ROLES)
@GET_POST
def network_contact_create_view(
    request: HttpRequest, network_member_pk: int
) -> HttpResponse:
    member = get_visible_or_404(
        NetworkMember.objects.select_related("person__site"),
        request.user,
        CASE_WRITE_ROLES,
        pk=network_member_pk,
    )
    form = NetworkContactForm(request.POST or None)
    return service_form_view(
        request,
        form,
        lambda data: services.network_contact_record(member=member, **data),
        title=_("Log a visit or call"),
        back=_partners_url(member.person),
        success=_("Visit or call logged."),
        context={"person": member.person},
    )


def _partners_url(person: Person) -> str:
    return reverse("partners:person_partners", args=[person.pk])

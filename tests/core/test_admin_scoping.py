"""A functional administrator changes in the admin only the reference rows of
their own sites; rows of another site, of several sites or of none are the
superuser's. Every change saved in the admin is in the audit log with old and
new values."""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from core.admin_scoping import sites_path, superuser_only
from core.models import AuditEvent, AuditKind, Membership, Site
from core.scoping import Role
from core.services import functional_admin_enable
from partners.models import (
    ContactPerson,
    Organisation,
    PartnerResponsibility,
    ResponsibilityTable,
)
from tests.factories import MembershipFactory, OrganisationFactory, user_with_role
from trajectories.models import GoalDomain


@pytest.fixture
def reference(db):
    call_command("load_reference", stdout=None, verbosity=0)
    return {site.code: site for site in Site.objects.all()}


@pytest.fixture
def beheer_almelo(reference):
    user = user_with_role(Role.FUNCTIONAL_ADMIN, reference["almelo"], username="fb")
    functional_admin_enable(user=user)
    return user


def _row_sites(model, rows) -> dict[int, set[int]]:
    path = sites_path(model)
    found: dict[int, set[int]] = defaultdict(set)
    lookup = "pk" if path == "pk" else path
    for pk, site_id in rows.values_list("pk", lookup):
        found[pk].add(site_id)
    return found


def test_every_admin_shows_only_rows_wholly_of_own_sites(reference, beheer_almelo):
    request = RequestFactory().get("/admin/")
    request.user = beheer_almelo
    almelo = reference["almelo"].pk
    leaks, checked = [], 0
    for model, model_admin in admin.site._registry.items():
        if superuser_only(model, type(model_admin)):
            if model_admin.has_view_permission(request) or (
                model_admin.has_module_permission(request)
            ):
                leaks.append((model._meta.label, "superuser-only model is open"))
            continue
        if not sites_path(model):
            continue  # scopes itself (users), tested below
        rows = model_admin.get_queryset(request)
        for pk, site_ids in _row_sites(model, rows).items():
            checked += 1
            if site_ids != {almelo}:
                leaks.append((model._meta.label, pk, site_ids))
    assert leaks == []
    assert checked > 20


def test_almelo_cannot_touch_krimpens_or_shared_organisations(
    client, reference, beheer_almelo
):
    krimpen_only = OrganisationFactory(
        name="Alleen Krimpen", sites=[reference["krimpen"]]
    )
    shared = OrganisationFactory(
        name="Twee sites", sites=[reference["almelo"], reference["middelburg"]]
    )
    national = OrganisationFactory(name="Landelijk")
    own = OrganisationFactory(name="Alleen Almelo", sites=[reference["almelo"]])
    client.force_login(beheer_almelo)

    for organisation in (krimpen_only, shared, national):
        change = reverse("admin:partners_organisation_change", args=[organisation.pk])
        delete = reverse("admin:partners_organisation_delete", args=[organisation.pk])
        assert client.get(change).status_code == 302, organisation
        client.post(delete, {"post": "yes"})
        client.post(change, {"name": "Gekaapt", "kind": "other"})
    assert (
        Organisation.objects.filter(
            pk__in=[krimpen_only.pk, shared.pk, national.pk], name="Gekaapt"
        ).count()
        == 0
    )
    assert Organisation.objects.filter(pk__in=[krimpen_only.pk, shared.pk]).count() == 2

    # Its own organisation it edits, but it cannot add another site to it.
    form = client.get(reverse("admin:partners_organisation_change", args=[own.pk]))
    assert f'value="{reference["almelo"].pk}"' in form.content.decode()
    assert f'value="{reference["krimpen"].pk}"' not in form.content.decode()
    # National organisations stay choosable for its own responsibility rows.
    request = _request(beheer_almelo)
    inline = next(
        i
        for i in admin.site._registry[ResponsibilityTable].get_inline_instances(request)
        if i.model is PartnerResponsibility
    )
    field = inline.formfield_for_foreignkey(
        PartnerResponsibility._meta.get_field("organisation"), request
    )
    assert national in field.queryset
    assert krimpen_only not in field.queryset


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_goal_domains_used_by_other_sites_are_the_superusers(
    client, reference, beheer_almelo
):
    client.force_login(beheer_almelo)
    listing = client.get(reverse("admin:trajectories_goaldomain_changelist"))
    shown = set(listing.context["cl"].queryset)
    almelo_plan = reference["almelo"].plan_form
    for domain in GoalDomain.objects.all():
        sites = set(domain.plan_forms.values_list("site__code", flat=True))
        assert (domain in shown) == (sites == {"almelo"}), (domain, sites)
    shared = GoalDomain.objects.exclude(plan_forms__site__code="almelo").first()
    del almelo_plan
    assert shared is not None
    url = reverse("admin:trajectories_goaldomain_change", args=[shared.pk])
    assert client.get(url).status_code == 302


def test_no_site_is_created_or_deleted_by_a_functional_admin(
    client, reference, beheer_almelo
):
    client.force_login(beheer_almelo)
    assert client.get(reverse("admin:core_site_add")).status_code == 403
    delete = reverse("admin:core_site_delete", args=[reference["almelo"].pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Site.objects.filter(code="almelo").exists()


def test_an_admin_change_is_audited_with_old_and_new_values(
    client, reference, beheer_almelo
):
    own = OrganisationFactory(
        name="Oude naam", kind="care", sites=[reference["almelo"]]
    )
    client.force_login(beheer_almelo)
    response = client.post(
        reverse("admin:partners_organisation_change", args=[own.pk]),
        {
            "name": "Nieuwe naam",
            "kind": "care",
            "sites": [reference["almelo"].pk],
            "phone": "",
            "email": "",
            "note": "",
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "0",
            "contacts-0-name": "Petra Contact",
            "contacts-0-active": "on",
        },
    )
    assert response.status_code == 302, response.context["errors"]
    event = AuditEvent.objects.get(kind=AuditKind.REFERENCE_CHANGE)
    assert event.actor == beheer_almelo
    assert event.details["changes"]["naam"] == ["Oude naam", "Nieuwe naam"]
    assert event.details["inlines"], (event.details, ContactPerson.objects.count())
    assert event.details["inlines"][0]["action"] == "added"
    assert "Petra Contact" in str(event.details["inlines"][0]["changes"])


def test_role_assignment_in_the_admin_offers_own_sites_people_and_uses_the_service(
    client, reference, beheer_almelo
):
    colleague = MembershipFactory(site=reference["almelo"], role="casemanager").user
    elsewhere = MembershipFactory(site=reference["krimpen"], role="casemanager").user
    client.force_login(beheer_almelo)
    form = client.get(reverse("admin:core_membership_add")).content.decode()
    assert f'<option value="{colleague.pk}">' in form
    assert f'<option value="{elsewhere.pk}">' not in form

    client.post(
        reverse("admin:core_membership_add"),
        {"user": colleague.pk, "site": reference["almelo"].pk, "role": "researcher"},
    )
    added = Membership.objects.get(user=colleague, role="researcher")
    client.post(
        reverse("admin:core_membership_change", args=[added.pk]),
        {
            "user": colleague.pk,
            "site": reference["almelo"].pk,
            "role": "project_leader",
        },
    )

    events = AuditEvent.objects.filter(kind=AuditKind.PERMISSION_CHANGE).order_by("at")
    assert [e.summary.split()[0] for e in events] == ["granted", "changed"]
    assert events[1].details["old"]["role"] == "researcher"
    assert events[1].details["new"]["role"] == "project_leader"


def test_the_audit_log_page_shows_old_and_new_values(client, reference, beheer_almelo):
    own = OrganisationFactory(
        name="Oude naam", kind="care", sites=[reference["almelo"]]
    )
    client.force_login(beheer_almelo)
    client.post(
        reverse("admin:partners_organisation_change", args=[own.pk]),
        {
            "name": "Nieuwe naam",
            "kind": "care",
            "sites": [reference["almelo"].pk],
            "contacts-TOTAL_FORMS": "0",
            "contacts-INITIAL_FORMS": "0",
        },
    )
    body = client.get(reverse("core:audit_log")).content.decode()
    assert "Oude naam &rarr; Nieuwe naam" in body

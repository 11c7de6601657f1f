"""Forms offer only valid choices (issue 14, item 5): routes of the process
version in force, place types with realised capacity on the chosen day, no
second placement for someone placed, and list import only where lists come in.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.scoping import Role
from core.service_forms import NO_CAPACITY_ON_DAY
from intake import services
from intake.forms import CaseOpenForm, CaseUpdateForm, ImportUploadForm, PlacementForm
from intake.models import IntakeCase
from tests.factories import PersonFactory, StayFactory, user_with_role
from trajectories.forms import PhaseChangeForm, StayCreateForm
from trajectories.reference import plans_load
from trajectories.services import stay_create

D = datetime.date


@pytest.fixture
def sites(reference):
    plans_load()
    return reference


def _casemanager(site):
    return user_with_role(Role.CASEMANAGER, site, username=f"cm-{site.code}")


def _route_names(form) -> list[str]:
    return [str(label) for _pk, label in form.fields["entry_route"].choices][1:]


def test_new_cases_are_offered_the_routes_in_force_only(sites):
    krimpen, almelo = sites["krimpen"], sites["almelo"]
    form = CaseOpenForm(user=_casemanager(krimpen))
    routes = list(form.fields["entry_route"].queryset)
    assert {route.process.version for route in routes} == {2}
    assert _route_names(form) == [
        "KV Krimpen aan den IJssel: Doorstroom uit De Compagnie I",
        "KV Krimpen aan den IJssel: Plusprogramma in een PI",
    ]
    almelo_routes = CaseOpenForm(user=_casemanager(almelo)).fields["entry_route"]
    assert [r.code for r in almelo_routes.queryset] == ["dji_list", "partner_referral"]


def test_an_old_case_keeps_the_routes_of_its_own_version(sites):
    krimpen = sites["krimpen"]
    process = services.process_on(site=krimpen, day=D(2019, 3, 1))
    case = services.case_open(
        site=krimpen,
        person=PersonFactory(site=krimpen),
        opened_on=D(2019, 3, 1),
        entry_route=process.entry_routes.first(),
        created_by=None,
    )
    form = CaseUpdateForm(case=case, user=_casemanager(krimpen))
    assert {r.process.version for r in form.fields["entry_route"].queryset} == {1}


def test_krimpen_takes_no_lists_and_the_import_page_says_how(client, sites):
    krimpen = sites["krimpen"]
    user = _casemanager(krimpen)
    assert not ImportUploadForm(user=user).takes_lists
    client.force_login(user)
    url = reverse("intake:import_create")
    page = client.get(url)
    text = page.content.decode()
    assert 'id="import-form"' not in text
    assert 'data-site="krimpen"' in text
    assert "Doorstroom uit De Compagnie I" in text
    posted = client.post(url, {"site": "krimpen", "kind": "dji_list"})
    assert posted.status_code == 200
    assert not IntakeCase.objects.exists()


def test_list_import_offers_only_sites_and_routes_that_take_lists(sites):
    almelo, middelburg, krimpen = sites["almelo"], sites["middelburg"], sites["krimpen"]
    user = _casemanager(almelo)
    for site in (middelburg, krimpen):
        user.memberships.create(site=site, role=Role.CASEMANAGER)
    form = ImportUploadForm(user=user)
    assert form.takes_lists
    assert sorted(s.code for s in form.fields["site"].queryset) == [
        "almelo",
        "middelburg",
    ]
    assert [
        (r.process.site.code, r.process.version, r.code)
        for r in form.fields["entry_route"].queryset
    ] == [("almelo", 2, "dji_list"), ("middelburg", 2, "diz_call_up")]


def _krimpen_case(sites) -> IntakeCase:
    krimpen = sites["krimpen"]
    process = services.process_on(site=krimpen, day=D(2020, 6, 1))
    return services.case_open(
        site=krimpen,
        person=PersonFactory(site=krimpen),
        opened_on=D(2020, 6, 1),
        entry_route=process.entry_routes.first(),
        created_by=None,
    )


def test_place_types_follow_the_chosen_day(sites):
    case = _krimpen_case(sites)
    today = PlacementForm(case=case)
    assert [pt.code for pt in today.fields["place_type"].queryset] == ["gesloten"]
    assert today.fields["place_type"].initial is not None
    zbbi = case.site.place_types.get(code="zbbi")
    in_march = PlacementForm(
        {"decided_on": "2020-03-01", "placed_on": "2020-03-02", "place_type": zbbi.pk},
        case=case,
    )
    assert [pt.code for pt in in_march.fields["place_type"].queryset] == [
        "bbi",
        "zbbi",
    ]
    in_june = PlacementForm(
        {"decided_on": "2020-06-01", "placed_on": "2020-06-02", "place_type": zbbi.pk},
        case=case,
    )
    assert not in_june.is_valid()
    assert in_june.errors["place_type"] == [str(NO_CAPACITY_ON_DAY)]
    stay_form = StayCreateForm(site=case.site)
    assert [pt.code for pt in stay_form.fields["place_type"].queryset] == ["gesloten"]


def test_a_place_type_without_capacity_is_refused_even_with_a_reason(sites):
    krimpen = sites["krimpen"]
    with pytest.raises(ValidationError) as error:
        stay_create(
            person=PersonFactory(site=krimpen),
            place_type=krimpen.place_types.get(code="zbbi"),
            placed_on=D(2020, 6, 1),
            created_by=None,
            capacity_override_reason="toch plaatsen",
        )
    assert error.value.code == "no_capacity"


def test_phase_change_offers_the_phases_of_the_day(sites):
    krimpen = sites["krimpen"]
    stay = stay_create(
        person=PersonFactory(site=krimpen),
        place_type=krimpen.place_types.get(code="zbbi"),
        placed_on=D(2020, 2, 3),
        created_by=None,
    )
    form = PhaseChangeForm({"started_on": "2020-05-01"}, stay=stay)
    assert [p.code for p in form.fields["phase"].queryset] == ["dc2a"]
    assert [pt.code for pt in form.fields["place_type"].queryset] == ["gesloten"]
    before = PhaseChangeForm({"started_on": "2020-04-01"}, stay=stay)
    assert [p.code for p in before.fields["phase"].queryset] == ["dc1", "dc2"]


def test_no_placement_is_offered_to_someone_placed(client, sites):
    case = _krimpen_case(sites)
    stay = StayFactory(
        site=case.site,
        person=case.person,
        place_type=case.site.place_types.get(code="gesloten"),
        placed_on=D(2020, 5, 4),
    )
    client.force_login(_casemanager(case.site))
    person_page = client.get(case.person.get_absolute_url()).content.decode()
    assert 'id="stay-create-link"' not in person_page
    direct = client.get(
        reverse("trajectories:stay_create", args=[case.person.pk]), follow=True
    )
    assert direct.redirect_chain[-1][0] == stay.get_absolute_url()
    assert "4 mei 2020" in " ".join(str(m) for m in direct.context["messages"])
    case_page = client.get(case.get_absolute_url()).content.decode()
    assert 'id="place-link"' not in case_page
    assert 'id="already-placed"' in case_page
    place = client.get(reverse("intake:case_place", args=[case.pk]))
    assert place.status_code == 302
    assert place.url == case.get_absolute_url()


def test_the_placement_page_says_what_stands_in_the_way(client, sites):
    case = _krimpen_case(sites)
    client.force_login(_casemanager(case.site))
    page = client.get(reverse("intake:case_place", args=[case.pk]))
    problems = page.context["problems"]
    assert len(problems) == 1
    first = case.criteria_version.criteria.get(code="kri_v2_in_01")
    assert services.criterion_label(first) in problems[0]

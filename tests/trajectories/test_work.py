from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from tests.factories import (
    EmploymentFactory,
    PersonFactory,
    PlaceTypeFactory,
    StayFactory,
)
from trajectories.models import Employment, JobSearchActivity
from trajectories.services import (
    JOB_SEARCH_REASON_REQUIRED,
    employment_record,
    job_search_record,
)

pytestmark = pytest.mark.django_db

JOB = {
    "job_title": "lasser",
    "hours_per_week": 24,
    "started_on": datetime.date(2020, 5, 15),
    "origin": "kept",
    "verifiable_with_employer": True,
    "within_travel_distance": True,
}
PAID_JOB = {**JOB, "pay_kind": "paid"}


def _stay(site, placed_on=datetime.date(2020, 8, 1)):
    return StayFactory(
        site=site,
        person=PersonFactory(site=site),
        place_type=site.place_types.first() or PlaceTypeFactory(site=site),
        placed_on=placed_on,
    )


def test_a_job_without_paid_unpaid_or_volunteer_is_refused(reference):
    stay = _stay(reference["krimpen"])
    for pay_kind in ("", "unknown"):
        with pytest.raises(ValidationError) as error:
            employment_record(
                stay=stay,
                employer_name="Demo-Metaal",
                data={**JOB, "pay_kind": pay_kind},
            )
        assert "pay_kind" in error.value.message_dict
    assert not Employment.objects.exists()


def test_job_form_offers_no_unknown_pay_kind_and_keeps_input(
    client, reference, django_user_model
):
    from core.scoping import Role
    from tests.factories import user_with_role

    site = reference["middelburg"]
    user = user_with_role(Role.CASEMANAGER, site)
    stay = _stay(site)
    client.force_login(user)
    response = client.post(
        f"/trajectories/stays/{stay.pk}/jobs/new/",
        {
            "employer_name": "Demo-Bouw",
            "job_title": "timmerman",
            "hours_per_week": "30",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('name="pay_kind"') == 3
    assert 'value="Demo-Bouw"' in page
    assert "minimaal 24 uur per week" in page  # the site's work rule is shown


def test_site_work_rules_are_checked_on_the_stay_page(client, reference):
    from core.scoping import Role
    from tests.factories import user_with_role

    site = reference["rotterdam"]
    client.force_login(user_with_role(Role.CASEMANAGER, site))
    stay = _stay(site, placed_on=datetime.date(2019, 6, 1))
    # 2 months in service and 20 hours: both Rotterdam rules fail.
    EmploymentFactory(
        stay=stay,
        hours_per_week=20,
        started_on=datetime.date(2019, 4, 1),
        pay_kind="paid",
    )
    page = client.get(f"/trajectories/stays/{stay.pk}/").content.decode()
    assert page.count("rule-failed") == 2
    Employment.objects.update(hours_per_week=26, started_on=datetime.date(2019, 3, 1))
    page = client.get(f"/trajectories/stays/{stay.pk}/").content.decode()
    assert page.count("rule-failed") == 0
    assert page.count("badge ok") == 2


def test_job_search_activity_not_used_needs_a_reason(almelo):
    stay = _stay(almelo)
    with pytest.raises(ValidationError) as error:
        job_search_record(
            stay=stay,
            kind="labour_consultant",
            occurred_on=datetime.date(2021, 3, 1),
            used=False,
        )
    assert error.value.message_dict == {
        "reason_not_used": [str(JOB_SEARCH_REASON_REQUIRED)]
    }
    job_search_record(
        stay=stay,
        kind="labour_consultant",
        occurred_on=datetime.date(2021, 3, 1),
        used=False,
        reason_not_used="Geen arbeidsconsulent beschikbaar",
    )
    assert JobSearchActivity.objects.get().reason_not_used == (
        "Geen arbeidsconsulent beschikbaar"
    )


def test_an_employer_of_another_site_is_not_linked_and_the_form_says_so(
    client, reference
):
    from core.scoping import Role
    from partners.models import Organisation
    from tests.factories import user_with_role

    krimpen, middelburg = reference["krimpen"], reference["middelburg"]
    theirs = employment_record(
        stay=_stay(krimpen), employer_name="Demo-Haven", data=PAID_JOB
    ).employer
    stay = _stay(middelburg)
    client.force_login(user_with_role(Role.CASEMANAGER, middelburg))
    response = client.post(
        f"/trajectories/stays/{stay.pk}/jobs/new/",
        {**PAID_JOB, "employer_name": "demo-haven", "hours_per_week": "30"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "niet voor deze KV" in page
    assert 'value="demo-haven"' in page
    assert not Employment.objects.filter(stay=stay).exists()
    assert list(theirs.sites.all()) == [krimpen]
    # The site's own employers are found by name, whatever the case.
    own = employment_record(
        stay=stay, employer_name="Demo-Veer", data=PAID_JOB
    ).employer
    again = employment_record(stay=stay, employer_name="demo-veer", data=PAID_JOB)
    assert again.employer == own
    assert Organisation.objects.filter(name__iexact="demo-veer").count() == 1

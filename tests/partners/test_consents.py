from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from partners.models import Consent, ConsentKind
from partners.selectors import CONSENT_MISSING, CONSENT_WITHDRAWN
from partners.services import CONSENT_ALREADY_WITHDRAWN, consent_withdraw
from tests.factories import (
    CaseRoleFactory,
    ConsentFactory,
    OrganisationFactory,
    PersonFactory,
    RequiredConsentFactory,
    StayFactory,
)

pytestmark = pytest.mark.django_db

LABEL = dict(ConsentKind.choices)[ConsentKind.INFORMATION_EXCHANGE]


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode().replace("&#x27;", "'")


def test_withdrawing_consent_shows_the_warning_wherever_partners_are_shown(
    client, almelo, casemanager_almelo
):
    person = PersonFactory(site=almelo)
    stay = StayFactory(site=almelo, person=person)
    CaseRoleFactory(
        person=person, organisation=OrganisationFactory(sites=[almelo]), name="Mentor"
    )
    consent = ConsentFactory(person=person, given_on=datetime.date(2021, 2, 1))
    client.force_login(casemanager_almelo)
    pages = [
        f"/partners/people/{person.pk}/",
        f"/people/{person.pk}/",
        f"/trajectories/stays/{stay.pk}/",
    ]
    for url in pages:
        assert 'id="consent-warnings"' not in _page(client, url), url

    response = client.post(
        f"/partners/consents/{consent.pk}/withdraw/",
        {"withdrawn_on": "2021-03-15", "note": "In gesprek ingetrokken"},
    )
    assert response.status_code == 302
    expected = str(CONSENT_WITHDRAWN) % {
        "kind": LABEL,
        "day": "15-3-2021",
    }
    for url in pages:
        page = _page(client, url)
        assert 'id="consent-warnings"' in page, url
        assert expected in page, url
    consent.refresh_from_db()
    assert consent.withdrawal_note == "In gesprek ingetrokken"


def test_new_consent_after_withdrawal_clears_the_warning(almelo):
    from partners.selectors import consent_warnings

    person = PersonFactory(site=almelo)
    ConsentFactory(person=person, withdrawn_on=datetime.date(2021, 3, 1))
    assert [w.state for w in consent_warnings(person=person)] == ["withdrawn"]
    ConsentFactory(person=person, given_on=datetime.date(2021, 4, 1))
    assert consent_warnings(person=person) == []


def test_site_required_consent_warns_when_missing(almelo, krimpen):
    from partners.selectors import consent_warnings

    RequiredConsentFactory(site=almelo, kind=ConsentKind.INFORMATION_EXCHANGE)
    warnings = consent_warnings(person=PersonFactory(site=almelo))
    assert [(w.kind, w.state, w.message) for w in warnings] == [
        (
            "information_exchange",
            "missing",
            str(CONSENT_MISSING) % {"kind": LABEL},
        )
    ]
    assert consent_warnings(person=PersonFactory(site=krimpen)) == []


def test_a_consent_cannot_be_withdrawn_twice(almelo):
    consent = ConsentFactory(
        person=PersonFactory(site=almelo), withdrawn_on=datetime.date(2021, 3, 1)
    )
    with pytest.raises(ValidationError) as error:
        consent_withdraw(consent=consent, withdrawn_on=datetime.date(2021, 4, 1))
    assert error.value.messages == [
        str(CONSENT_ALREADY_WITHDRAWN) % {"day": "1-3-2021"}
    ]
    assert Consent.objects.get(pk=consent.pk).withdrawn_on == datetime.date(2021, 3, 1)

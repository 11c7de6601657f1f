"""A KV-level (interview) measurement holds the answers of each respondent
group apart: management, staff, municipality, external partners, detainees."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluation.models import KvAnswer, MeasurementStatus
from evaluation.registration import respondent_groups
from evaluation.services import AnswerInput, kv_measurement_create, measurement_save
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def kv_measurement(almelo, catalogue):
    return kv_measurement_create(
        site=almelo,
        period_start=datetime.date(2021, 1, 1),
        period_end=datetime.date(2021, 6, 30),
    )


def _post(client, kv_measurement, group, text, complete=False):
    kv_measurement.refresh_from_db()
    var = f"t{kv_measurement.site_id}_tevredenheid"
    data = {"version": kv_measurement.version, f"v_{var}": text}
    if complete:
        data["complete"] = "1"
    url = reverse("evaluation:kv_measurement_edit", args=[kv_measurement.pk])
    return client.post(f"{url}?group={group}", data)


def test_the_five_respondent_groups_of_the_report_are_reference_data():
    assert [g.name for g in respondent_groups().values()] == [
        "Directie en projectleiding",
        "Medewerkers",
        "Gemeente",
        "Externe ketenpartners",
        "Gedetineerden",
    ]
    assert len({g.export_code for g in respondent_groups().values()}) == 5


def test_each_group_answers_apart_and_the_page_counts_them(
    client, researcher_almelo, kv_measurement
):
    client.force_login(researcher_almelo)
    response = _post(client, kv_measurement, "staff", "Goed overleg met de PI.")
    assert response.status_code == 302
    assert response.url.endswith("?group=staff")
    _post(client, kv_measurement, "detainees", "Weinig contact met de gemeente.")
    answers = dict(
        KvAnswer.objects.filter(kv_measurement=kv_measurement).values_list(
            "respondent_group", "value"
        )
    )
    assert answers == {
        "staff": "Goed overleg met de PI.",
        "detainees": "Weinig contact met de gemeente.",
    }
    url = reverse("evaluation:kv_measurement_edit", args=[kv_measurement.pk])
    page = client.get(f"{url}?group=detainees")
    body = page.content.decode()
    assert "Antwoorden van: Gedetineerden" in body
    assert "Weinig contact met de gemeente." in body
    assert "Goed overleg met de PI." not in body
    assert "Medewerkers (1)" in body
    assert "Gemeente (0)" in body
    # an unknown group in the address shows the first answered group
    assert client.get(f"{url}?group=onbekend").context["group"] == "staff"


def test_completion_waits_for_every_group_with_answers(
    client, researcher_almelo, kv_measurement
):
    client.force_login(researcher_almelo)
    _post(client, kv_measurement, "staff", "Goed overleg.")
    # the municipality was interviewed but its item is still open
    KvAnswer.objects.create(
        kv_measurement=kv_measurement,
        item=KvAnswer.objects.get().item,
        respondent_group="municipality",
        reason_text="Gesprek gepland.",
    )
    response = _post(client, kv_measurement, "staff", "Goed overleg.", complete=True)
    assert response.status_code == 200
    assert "de antwoorden van Gemeente" in response.content.decode()
    kv_measurement.refresh_from_db()
    assert kv_measurement.status != MeasurementStatus.COMPLETE
    _post(client, kv_measurement, "municipality", "Korte lijnen.")
    # detainees were not interviewed: their empty form does not block
    response = _post(client, kv_measurement, "detainees", "", complete=True)
    assert response.status_code == 302
    kv_measurement.refresh_from_db()
    assert kv_measurement.status == MeasurementStatus.COMPLETE
    assert not KvAnswer.objects.filter(respondent_group="detainees").exists()


def test_answers_from_before_the_groups_stay_not_specified(
    client, researcher_almelo, kv_measurement
):
    """No data migration guesses a group: who gave those answers is unknown."""
    item_var = f"t{kv_measurement.site_id}_tevredenheid"
    answer = KvAnswer.objects.create(
        kv_measurement=kv_measurement,
        item=kv_measurement.catalogue.items.get(var=item_var),
        value="Van voor de groepen.",
    )
    assert answer.respondent_group == ""
    client.force_login(researcher_almelo)
    url = reverse("evaluation:kv_measurement_edit", args=[kv_measurement.pk])
    page = client.get(url)
    assert page.context["group"] == ""
    body = page.content.decode()
    assert "Antwoorden van: respondentgroep niet gespecificeerd" in body
    assert "Van voor de groepen." in body
    _post(client, kv_measurement, "management", "Directie tevreden.")
    assert KvAnswer.objects.filter(kv_measurement=kv_measurement).count() == 2


def test_the_service_refuses_an_unknown_group_and_keeps_history(
    researcher_almelo, kv_measurement
):
    item = kv_measurement.catalogue.items.get(
        var=f"t{kv_measurement.site_id}_tevredenheid"
    )
    with pytest.raises(ValidationError, match="Onbekende respondentgroep: bezoekers"):
        measurement_save(
            measurement=kv_measurement,
            answers={item: AnswerInput(value="x")},
            expected_version=kv_measurement.version,
            user=researcher_almelo,
            respondent_group="bezoekers",
        )
    measurement_save(
        measurement=kv_measurement,
        answers={item: AnswerInput(value="Eerste versie")},
        expected_version=kv_measurement.version,
        user=researcher_almelo,
        respondent_group="external_partners",
    )
    kv_measurement.refresh_from_db()
    measurement_save(
        measurement=kv_measurement,
        answers={item: AnswerInput(value="Tweede versie")},
        expected_version=kv_measurement.version,
        user=researcher_almelo,
        respondent_group="external_partners",
    )
    answer = KvAnswer.objects.get()
    assert [(h.respondent_group, h.value) for h in answer.history.order_by("pk")] == [
        ("external_partners", "Eerste versie"),
        ("external_partners", "Tweede versie"),
    ]


def test_another_sites_researcher_cannot_open_a_group(client, krimpen, kv_measurement):
    client.force_login(user_with_role("researcher", krimpen))
    url = reverse("evaluation:kv_measurement_edit", args=[kv_measurement.pk])
    assert client.get(f"{url}?group=staff").status_code == 404

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from evaluation.models import KvAnswer, KvMeasurement, MeasurementStatus

pytestmark = pytest.mark.django_db


def test_researcher_records_kv_interview_topics_for_a_period(
    client, researcher_almelo, almelo, catalogue
):
    client.force_login(researcher_almelo)
    response = client.post(
        reverse("evaluation:kv_measurement_list", args=["almelo"]),
        {"period_start": "2021-01-01", "period_end": "2021-06-30"},
    )
    kv_measurement = KvMeasurement.objects.get(site=almelo)
    assert response.status_code == 302
    edit_url = reverse("evaluation:kv_measurement_edit", args=[kv_measurement.pk])
    form = client.get(edit_url).context["form"]
    var = f"t{almelo.pk}_tevredenheid"
    # only the KV-level topics are asked, here the cooperation sub-items
    assert [row.item.var for row in form.rows()] == [var]
    response = client.post(
        edit_url,
        {
            "version": kv_measurement.version,
            f"v_{var}": "Redelijk tevreden",
            f"r_{var}": "Gemeente en reclassering overleggen wekelijks.",
            "complete": "1",
        },
    )
    assert response.status_code == 302
    answer = KvAnswer.objects.get(kv_measurement=kv_measurement)
    assert answer.value == "Redelijk tevreden"
    assert answer.reason_text == "Gemeente en reclassering overleggen wekelijks."
    kv_measurement.refresh_from_db()
    assert kv_measurement.status == MeasurementStatus.COMPLETE


def test_kv_period_ending_before_it_starts_is_refused(
    client, researcher_almelo, almelo, catalogue
):
    client.force_login(researcher_almelo)
    response = client.post(
        reverse("evaluation:kv_measurement_list", args=["almelo"]),
        {"period_start": "2021-06-30", "period_end": "2021-01-01"},
    )
    assert response.status_code == 200
    assert not KvMeasurement.objects.exists()


def test_catalogue_page_shows_items_moments_and_derived_sources(
    client, researcher_almelo, almelo, catalogue
):
    client.force_login(researcher_almelo)
    body = client.get(reverse("evaluation:catalogue", args=["almelo"])).content.decode()
    assert "Kenmerken gedetineerde ten tijde van instroom" in body
    assert "Verloop samenwerking" in body
    assert "<code>person.birth_year</code>" in body
    assert "nulmeting, eindmeting, nameting" in body
    rows = client.get(reverse("evaluation:catalogue", args=["almelo"])).context["tree"]
    asked = {item.var: item.asked for node in rows for item, _ in node.items}
    assert asked[f"t{almelo.pk}_type_delict"] == ("nulmeting",)
    assert asked[f"t{almelo.pk}_verloop"] == ()


def test_kv_answers_to_items_now_recorded_per_person_stay_visible_read_only(
    client, researcher_almelo, almelo
):
    from evaluation.models import Item, KvAnswer, KvMeasurement, RecordedAt
    from evaluation.services import kv_measurement_create
    from tests.factories import catalogue_from_data

    catalogue = catalogue_from_data(almelo)
    kv_measurement = kv_measurement_create(
        site=almelo,
        period_start=datetime.date(2021, 1, 1),
        period_end=datetime.date(2021, 6, 30),
    )
    # an answer given while the item was still asked per KV
    item = Item.objects.get(catalogue=catalogue, var=f"t{almelo.pk}_nederlands")
    assert item.recorded_at == RecordedAt.PERSON
    KvAnswer.objects.create(kv_measurement=kv_measurement, item=item, value=True)
    client.force_login(researcher_almelo)
    response = client.get(
        reverse("evaluation:kv_measurement_edit", args=[kv_measurement.pk])
    )
    body = response.content.decode()
    assert 'id="recorded-per-kv-before"' in body
    assert item.text in body
    assert f'name="v_{item.var}"' not in body
    assert KvMeasurement.objects.get().answers.count() == 1

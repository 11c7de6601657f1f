"""Completing a measurement needs a value or a missing-data reason for every
item asked at its moment; a refused completion stores nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluation.models import Answer, Item, MeasurementStatus
from evaluation.services import (
    CANNOT_COMPLETE,
    ITEM_NEEDS_VALUE_OR_REASON,
    VALUE_AND_MISSING,
    AnswerInput,
    MeasurementIncompleteError,
    item_label,
    kv_measurement_create,
    measurement_save,
)
from tests.factories import catalogue_from_data, small_catalogue_data

pytestmark = pytest.mark.django_db


def _item(nulmeting, suffix) -> Item:
    return Item.objects.get(var=f"t{nulmeting.stay.site_id}_{suffix}")


def _post(client, measurement, data, *, complete):
    payload = {"version": measurement.version, **data}
    if complete:
        payload["complete"] = "1"
    url = reverse("evaluation:measurement_edit", args=[measurement.pk])
    return client.post(url, payload)


def _save(measurement, answers, *, complete):
    return measurement_save(
        measurement=measurement,
        answers=answers,
        expected_version=measurement.version,
        user=None,
        complete=complete,
    )


def test_completing_an_empty_measurement_is_refused_and_lists_every_open_item(
    client, researcher_almelo, nulmeting
):
    client.force_login(researcher_almelo)
    response = _post(client, nulmeting, {}, complete=True)

    assert response.status_code == 200
    body = response.content.decode()
    lacking = [_item(nulmeting, s) for s in ("type_delict", "nederlands")]
    lacking.append(_item(nulmeting, "woonsituatie"))
    expected = CANNOT_COMPLETE % {
        "items": "; ".join(item_label(item, 50) for item in lacking)
    }
    assert str(expected) in body
    form = response.context["form"]
    assert all(form.has_error(f"m_{item.var}") for item in lacking)
    assert str(ITEM_NEEDS_VALUE_OR_REASON) in body
    nulmeting.refresh_from_db()
    assert nulmeting.status == MeasurementStatus.PLANNED
    assert nulmeting.completed_at is None
    # not even the registered (derived) values were stored
    assert not Answer.objects.filter(measurement=nulmeting).exists()


def test_refused_completion_keeps_what_was_typed(client, researcher_almelo, nulmeting):
    client.force_login(researcher_almelo)
    typed = _item(nulmeting, "type_delict")
    response = _post(
        client, nulmeting, {f"v_{typed.var}": "heling met geweld"}, complete=True
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "heling met geweld" in body
    assert not response.context["form"].has_error(f"m_{typed.var}")
    assert str(item_label(_item(nulmeting, "nederlands"), 50)) in body
    assert not Answer.objects.exists()


def test_every_item_with_a_value_or_a_reason_completes_and_locks(
    client, researcher_almelo, nulmeting
):
    client.force_login(researcher_almelo)
    v = lambda s: _item(nulmeting, s).var  # noqa: E731
    data = {
        f"v_{v('type_delict')}": "inbraak",
        f"m_{v('nederlands')}": "refused",
        f"m_{v('woonsituatie')}": "not_asked",
    }
    # the derived birth year and placement date need nothing: they are
    # registered, so they are shown and stored, not asked
    response = _post(client, nulmeting, data, complete=True)

    assert response.status_code == 302
    nulmeting.refresh_from_db()
    assert nulmeting.status == MeasurementStatus.COMPLETE
    stored = dict(
        Answer.objects.filter(measurement=nulmeting).values_list(
            "item__var", "missing_reason"
        )
    )
    assert stored[v("woonsituatie")] == "not_asked"
    assert stored[v("geboortejaar")] == ""


def test_saving_without_completing_still_accepts_a_partial_measurement(
    client, researcher_almelo, nulmeting
):
    client.force_login(researcher_almelo)
    var = _item(nulmeting, "type_delict").var
    response = _post(client, nulmeting, {f"v_{var}": "inbraak"}, complete=False)

    assert response.status_code == 302
    nulmeting.refresh_from_db()
    assert nulmeting.status == MeasurementStatus.IN_PROGRESS
    assert Answer.objects.get(item__var=var).value == "inbraak"


def test_answers_from_an_earlier_save_count_towards_completion(nulmeting):
    items = {s: _item(nulmeting, s) for s in ("type_delict", "nederlands")}
    _save(
        nulmeting,
        {
            items["type_delict"]: AnswerInput(value="inbraak"),
            items["nederlands"]: AnswerInput(missing_reason="unknown"),
        },
        complete=False,
    )
    nulmeting.refresh_from_db()
    with pytest.raises(MeasurementIncompleteError) as refused:
        _save(nulmeting, {}, complete=True)
    assert [item.var for item in refused.value.items] == [
        _item(nulmeting, "woonsituatie").var
    ]

    _save(
        nulmeting,
        {_item(nulmeting, "woonsituatie"): AnswerInput(value="positief")},
        complete=True,
    )
    nulmeting.refresh_from_db()
    assert nulmeting.status == MeasurementStatus.COMPLETE


def test_clearing_a_stored_answer_while_completing_is_refused(nulmeting):
    asked = [_item(nulmeting, s) for s in ("type_delict", "nederlands")]
    asked.append(_item(nulmeting, "woonsituatie"))
    _save(nulmeting, {item: AnswerInput(value="x") for item in asked}, complete=False)
    nulmeting.refresh_from_db()

    with pytest.raises(MeasurementIncompleteError):
        _save(nulmeting, {asked[0]: AnswerInput()}, complete=True)
    assert Answer.objects.get(item=asked[0]).value == "x"


def test_value_and_missing_reason_together_are_refused_by_the_service(nulmeting):
    item = _item(nulmeting, "type_delict")
    with pytest.raises(ValidationError) as refused:
        _save(
            nulmeting,
            {item: AnswerInput(value="inbraak", missing_reason="refused")},
            complete=True,
        )
    # named first, next to anything else that stops the completion
    assert refused.value.messages[0] == str(
        VALUE_AND_MISSING % {"item": item_label(item)}
    )
    nulmeting.refresh_from_db()
    assert nulmeting.status == MeasurementStatus.PLANNED
    assert not Answer.objects.exists()


def test_a_derived_item_without_a_registered_value_must_be_answered(almelo, nulmeting):
    data = small_catalogue_data(almelo.code, prefix="drv")
    data["version"] = 2
    # no intake is registered for this stay, so the item is asked
    data["topics"][0]["items"][2]["derived_from"] = "intake.opened_on"
    catalogue = catalogue_from_data(almelo, data)
    nulmeting.catalogue = catalogue
    nulmeting.save(update_fields=["catalogue"])
    others = [
        Item.objects.get(catalogue=catalogue, var=f"drv_{s}")
        for s in ("nederlands", "woonsituatie")
    ]

    with pytest.raises(MeasurementIncompleteError) as refused:
        _save(
            nulmeting,
            {item: AnswerInput(missing_reason="unknown") for item in others},
            complete=True,
        )
    assert [item.var for item in refused.value.items] == ["drv_type_delict"]


def test_kv_measurement_completion_follows_the_same_rule(
    client, researcher_almelo, almelo, catalogue
):
    kv_measurement = kv_measurement_create(
        site=almelo,
        period_start=datetime.date(2021, 1, 1),
        period_end=datetime.date(2021, 6, 30),
    )
    client.force_login(researcher_almelo)
    url = reverse("evaluation:kv_measurement_edit", args=[kv_measurement.pk])
    response = client.post(url, {"version": kv_measurement.version, "complete": "1"})
    assert response.status_code == 200
    assert "Tevredenheid samenwerking" in str(response.context["form"].errors)
    kv_measurement.refresh_from_db()
    assert kv_measurement.status == MeasurementStatus.PLANNED


def test_completing_through_the_service_keeps_the_registered_values(nulmeting):
    answers = {
        _item(nulmeting, "type_delict"): AnswerInput(value="inbraak"),
        _item(nulmeting, "nederlands"): AnswerInput(missing_reason="refused"),
        _item(nulmeting, "woonsituatie"): AnswerInput(missing_reason="not_asked"),
    }
    _save(nulmeting, answers, complete=True)

    birth_year = Answer.objects.get(
        measurement=nulmeting, item=_item(nulmeting, "geboortejaar")
    )
    assert birth_year.value == nulmeting.stay.person.date_of_birth.year
    assert "person.birth_year" in birth_year.source

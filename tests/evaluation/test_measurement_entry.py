from __future__ import annotations

import pytest
from django.urls import reverse

from core.concurrency import CONCURRENT_EDIT_MESSAGE
from core.models import AuditEvent, AuditKind
from evaluation.models import Answer, Item, Measurement, MeasurementStatus
from evaluation.services import (
    MEASUREMENT_LOCKED,
    REOPEN_REASON_REQUIRED,
    SOURCE_REQUIRED,
    VALUE_AND_MISSING,
    item_label,
)

pytestmark = pytest.mark.django_db


def _url(measurement):
    return reverse("evaluation:measurement_edit", args=[measurement.pk])


def _var(measurement, suffix):
    return f"t{measurement.stay.site_id}_{suffix}"


def _label(var):
    return item_label(Item.objects.get(var=var))


def _all_answered(measurement, **overrides):
    """Form data giving every asked nulmeting item a value or a reason."""
    v = lambda s: _var(measurement, s)  # noqa: E731
    return {
        f"v_{v('type_delict')}": "inbraak",
        f"m_{v('nederlands')}": "refused",
        f"v_{v('woonsituatie')}": "positief",
        **overrides,
    }


def _post(client, measurement, data, *, complete=False, version=None):
    payload = {"version": measurement.version if version is None else version, **data}
    if complete:
        payload["complete"] = "1"
    return client.post(_url(measurement), payload)


def test_researcher_saves_part_of_a_nulmeting_and_a_gap_keeps_its_reason(
    client, researcher_almelo, nulmeting
):
    client.force_login(researcher_almelo)
    v = lambda s: _var(nulmeting, s)  # noqa: E731
    response = _post(
        client,
        nulmeting,
        {
            f"v_{v('type_delict')}": "inbraak",
            f"m_{v('nederlands')}": "refused",
        },
    )
    assert response.status_code == 302
    nulmeting.refresh_from_db()
    assert nulmeting.status == MeasurementStatus.IN_PROGRESS
    answers = {a.item.var: a for a in Answer.objects.filter(measurement=nulmeting)}
    assert answers[v("type_delict")].value == "inbraak"
    assert answers[v("nederlands")].value is None
    assert answers[v("nederlands")].missing_reason == "refused"
    assert v("woonsituatie") not in answers


def test_a_value_and_a_missing_reason_together_are_refused_and_input_kept(
    client, researcher_almelo, nulmeting
):
    client.force_login(researcher_almelo)
    var = _var(nulmeting, "type_delict")
    response = _post(client, nulmeting, {f"v_{var}": "inbraak", f"m_{var}": "unknown"})
    assert response.status_code == 200
    assert str(VALUE_AND_MISSING % {"item": _label(var)}) in response.content.decode()
    assert "inbraak" in response.content.decode()
    assert response.context["form"].has_error(f"m_{var}")
    assert not Answer.objects.exists()


def test_a_value_and_a_missing_reason_together_also_stop_completion(
    client, researcher_almelo, nulmeting
):
    client.force_login(researcher_almelo)
    var = _var(nulmeting, "type_delict")
    data = _all_answered(nulmeting, **{f"m_{var}": "unknown"})
    response = _post(client, nulmeting, data, complete=True)
    assert response.status_code == 200
    assert str(VALUE_AND_MISSING % {"item": _label(var)}) in response.content.decode()
    nulmeting.refresh_from_db()
    assert nulmeting.status == MeasurementStatus.PLANNED
    assert not Answer.objects.exists()


def test_derived_item_shows_the_registered_value_instead_of_a_field(
    client, researcher_almelo, nulmeting
):
    client.force_login(researcher_almelo)
    response = client.get(_url(nulmeting))
    body = response.content.decode()
    form = response.context["form"]
    rows = {row.item.var: row for row in form.rows()}
    birth_year = rows[_var(nulmeting, "geboortejaar")]
    assert birth_year.value is None
    assert birth_year.derived_display == "1984"
    assert rows[_var(nulmeting, "datum_instroom")].derived_display == "01-03-2021"
    assert f'name="v_{_var(nulmeting, "geboortejaar")}"' not in body
    assert "1984" in body


def test_derived_values_are_stored_with_the_measurement(
    client, researcher_almelo, nulmeting
):
    client.force_login(researcher_almelo)
    _post(client, nulmeting, {})
    stored = dict(
        Answer.objects.filter(measurement=nulmeting).values_list("item__var", "value")
    )
    assert stored[_var(nulmeting, "geboortejaar")] == 1984
    assert stored[_var(nulmeting, "datum_instroom")] == "2021-03-01"


def test_researcher_sees_the_pseudonym_never_the_name(
    client, researcher_almelo, nulmeting
):
    client.force_login(researcher_almelo)
    body = client.get(_url(nulmeting)).content.decode()
    assert nulmeting.stay.person.pseudonym in body
    for secret in ("Geheimvoornaam", "Geheimachternaam", "DJI777", "1984-07-14"):
        assert secret not in body


def test_a_completed_measurement_refuses_edits_until_reopened_with_a_reason(
    client, researcher_almelo, nulmeting
):
    client.force_login(researcher_almelo)
    var = _var(nulmeting, "type_delict")
    _post(client, nulmeting, _all_answered(nulmeting), complete=True)
    nulmeting.refresh_from_db()
    assert nulmeting.status == MeasurementStatus.COMPLETE

    refused = _post(client, nulmeting, {f"v_{var}": "fraude"})
    assert refused.status_code == 200
    assert str(MEASUREMENT_LOCKED) in refused.content.decode()
    assert Answer.objects.get(item__var=var).value == "inbraak"

    reopen_url = reverse("evaluation:measurement_reopen", args=[nulmeting.pk])
    no_reason = client.post(reopen_url, {"reason": " "})
    assert no_reason.status_code == 200
    nulmeting.refresh_from_db()
    assert nulmeting.status == MeasurementStatus.COMPLETE

    assert client.post(reopen_url, {"reason": "Typefout delict"}).status_code == 302
    event = AuditEvent.objects.get(kind=AuditKind.REOPEN)
    assert event.details["reason"] == "Typefout delict"
    assert event.actor == researcher_almelo

    nulmeting.refresh_from_db()
    assert _post(client, nulmeting, {f"v_{var}": "fraude"}).status_code == 302
    assert Answer.objects.get(item__var=var).value == "fraude"


def test_reopen_service_requires_a_reason(nulmeting, researcher_almelo):
    from django.core.exceptions import ValidationError

    from evaluation.services import (
        AnswerInput,
        items_for,
        measurement_reopen,
        measurement_save,
    )

    measurement_save(
        measurement=nulmeting,
        answers={
            item: AnswerInput(missing_reason="not_asked")
            for item in items_for(nulmeting.catalogue, "nulmeting")
            if not item.derived_from
        },
        expected_version=nulmeting.version,
        user=researcher_almelo,
        complete=True,
    )
    with pytest.raises(ValidationError, match=str(REOPEN_REASON_REQUIRED)):
        measurement_reopen(measurement=nulmeting, user=researcher_almelo, reason="")


def test_saving_a_stale_version_is_refused_and_the_input_is_kept(
    client, researcher_almelo, nulmeting
):
    client.force_login(researcher_almelo)
    var = _var(nulmeting, "type_delict")
    opened_version = nulmeting.version
    _post(client, nulmeting, {f"v_{var}": "inbraak"})  # someone else saves first
    response = _post(
        client, nulmeting, {f"v_{var}": "mishandeling"}, version=opened_version
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert str(CONCURRENT_EDIT_MESSAGE) in body
    assert "mishandeling" in body
    assert Answer.objects.get(item__var=var).value == "inbraak"


def test_recidivism_item_needs_source_and_date_checked(client, researcher_almelo, stay):
    stay.ended_on = stay.placed_on.replace(month=9)
    stay.outflow_type = "end_of_sentence"
    stay.save()
    from evaluation.services import schedule_sync_for_stay

    schedule_sync_for_stay(stay=stay)
    nameting = Measurement.objects.get(stay=stay, moment="nameting", sequence=6)
    client.force_login(researcher_almelo)
    var = _var(nameting, "veroordeling")
    missing = _post(client, nameting, {f"v_{var}": "no"})
    assert str(SOURCE_REQUIRED % {"item": _label(var)}) in missing.content.decode()
    assert missing.context["form"].has_error(f"s_{var}")
    nameting.refresh_from_db()
    ok = _post(
        client,
        nameting,
        {f"v_{var}": "no", f"s_{var}": "JDS", f"c_{var}": "2022-04-01"},
    )
    assert ok.status_code == 302
    answer = Answer.objects.get(measurement=nameting, item__var=var)
    assert (answer.value, answer.source, str(answer.checked_on)) == (
        False,
        "JDS",
        "2022-04-01",
    )


def test_casemanager_sees_the_schedule_of_own_site_but_cannot_enter(
    client, casemanager_almelo, nulmeting
):
    client.force_login(casemanager_almelo)
    schedule = client.get(reverse("evaluation:schedule", args=["almelo"]))
    assert schedule.status_code == 200
    assert "Geheimachternaam" in schedule.content.decode()
    assert client.get(_url(nulmeting)).status_code == 403


def test_researcher_schedule_shows_pseudonyms_only(
    client, researcher_almelo, nulmeting
):
    client.force_login(researcher_almelo)
    body = client.get(reverse("evaluation:schedule", args=["almelo"])).content.decode()
    assert nulmeting.stay.person.pseudonym in body
    assert "Geheimachternaam" not in body

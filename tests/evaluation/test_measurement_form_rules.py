"""The measurement form a researcher can trust.

Every answer field has a label of its own; follow-up questions ("Indien ja,
...") are shown and required only when the answer above calls for them;
number items carry their unit and plausible range; "if no: reason why not"
belongs to a no. Completing refuses an inconsistent form with a message at
each item concerned and keeps what was typed.
"""

from __future__ import annotations

import datetime
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from evaluation.models import Answer, Item, Measurement, MeasurementStatus, Moment
from evaluation.services import items_for, schedule_sync_for_stay
from tests.dashboards.builders import krimpen_catalogue
from tests.factories import (
    SiteFactory,
    StayFactory,
    catalogue_from_data,
    user_with_role,
)

pytestmark = pytest.mark.django_db

D = datetime.date
SITES = ["almelo", "amsterdam", "krimpen", "middelburg", "rotterdam"]


class _Fields(HTMLParser):
    """Form controls and labels of a page, with the fieldset they are in."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str]] = []
        self.labels: dict[str, str] = {}
        self._label_for: str | None = None
        self._label_text: list[str] = []
        self.hidden_sets: set[str] = set()
        self._set: str = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "fieldset":
            self._set = attrs.get("data-var", "")
            if "hidden" in attrs:
                self.hidden_sets.add(self._set)
        if tag in ("input", "select", "textarea"):
            if attrs.get("type") in ("hidden", "submit"):
                return
            self.controls.append({**attrs, "fieldset": self._set})
        if tag == "label":
            self._label_for = attrs.get("for")
            self._label_text = []

    def handle_endtag(self, tag):
        if tag == "label" and self._label_for is not None:
            self.labels[self._label_for] = " ".join("".join(self._label_text).split())
            self._label_for = None

    def handle_data(self, data):
        if self._label_for is not None:
            self._label_text.append(data)


def _parse(body: str) -> _Fields:
    parser = _Fields()
    parser.feed(body)
    return parser


@pytest.mark.parametrize("site_code", SITES)
def test_every_answer_field_of_every_catalogue_has_a_label_of_its_own(
    client, site_code
):
    from pathlib import Path

    import yaml
    from django.conf import settings

    site = SiteFactory(code=site_code)
    path = Path(settings.BASE_DIR) / f"fixtures/reference/indicators/{site_code}.yaml"
    catalogue_from_data(site, yaml.safe_load(path.read_text(encoding="utf-8")))
    stay = StayFactory(site=site, placed_on=D(2022, 1, 10))
    schedule_sync_for_stay(stay=stay, today=D(2022, 1, 10))
    client.force_login(user_with_role("researcher", site))
    checked = 0
    for measurement in Measurement.objects.filter(stay=stay):
        body = client.get(
            reverse("evaluation:measurement_edit", args=[measurement.pk])
        ).content.decode()
        page = _parse(body)
        names = set()
        for control in page.controls:
            where = f"{measurement.label} {control.get('name')}"
            assert control.get("id"), f"{where}: no id to tie a label to"
            label = page.labels.get(control["id"], "")
            assert label, f"{where}: no label of its own"
            assert label not in names, f"{where}: label {label!r} used twice"
            names.add(label)
            checked += 1
    assert checked > 40


@pytest.fixture
def krimpen_nulmeting(db):
    site = SiteFactory(code="krimpen", name="KV Krimpen")
    krimpen_catalogue(site)
    stay = StayFactory(site=site, placed_on=D(2022, 1, 10))
    schedule_sync_for_stay(stay=stay, today=D(2022, 1, 10))
    return Measurement.objects.get(stay=stay, moment=Moment.NULMETING)


def _complete_data(measurement, **overrides):
    """Every item of the moment answered plausibly; a derived item that shows
    a registered value has no field, so its "unknown" is not submitted."""
    data = {"version": measurement.version}
    for item in items_for(measurement.catalogue, measurement.moment):
        if item.derived_from:
            data[f"m_{item.var}"] = "unknown"
            continue
        match item.answer_type:
            case "yes_no" | "yes_no_reason":
                data[f"v_{item.var}"] = "yes"
            case "number":
                data[f"v_{item.var}"] = str(int(item.min_value or 0) + 1)
            case "text":
                data[f"v_{item.var}"] = "x"
            case _:
                data[f"m_{item.var}"] = "unknown"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _login(client, measurement):
    client.force_login(user_with_role("researcher", measurement.stay.site))
    return reverse("evaluation:measurement_edit", args=[measurement.pk])


def test_a_count_without_the_yes_above_it_is_refused_with_a_message_there(
    client, krimpen_nulmeting
):
    url = _login(client, krimpen_nulmeting)
    data = _complete_data(
        krimpen_nulmeting,
        v_kri_dg_eerder_delict="no",
        v_kri_dg_aantal_eerdere_delicten="3",
        complete="1",
    )
    response = client.post(url, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("v_kri_dg_aantal_eerdere_delicten")
    message = form.errors["v_kri_dg_aantal_eerdere_delicten"][0]
    assert "Eerder delict(en) (recidive)" in message
    krimpen_nulmeting.refresh_from_db()
    assert krimpen_nulmeting.status == MeasurementStatus.PLANNED
    assert not Answer.objects.exists()
    # what was typed is still there, and the row stays in sight
    body = response.content.decode()
    assert 'value="3"' in body
    assert "kri_dg_aantal_eerdere_delicten" not in _parse(body).hidden_sets


def test_a_no_above_skips_the_follow_up_questions_and_stores_them_as_not_applicable(
    client, krimpen_nulmeting
):
    url = _login(client, krimpen_nulmeting)
    data = _complete_data(
        krimpen_nulmeting,
        v_kri_dg_eerder_delict="no",
        v_kri_dg_aantal_eerdere_delicten=None,
        v_kri_dg_type_eerdere_delicten=None,
        complete="1",
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    krimpen_nulmeting.refresh_from_db()
    assert krimpen_nulmeting.status == MeasurementStatus.COMPLETE
    skipped = Answer.objects.get(
        measurement=krimpen_nulmeting, item__var="kri_dg_aantal_eerdere_delicten"
    )
    assert (skipped.value, skipped.missing_reason) == (None, "not_applicable")


def test_a_yes_above_makes_the_follow_up_question_required(client, krimpen_nulmeting):
    url = _login(client, krimpen_nulmeting)
    data = _complete_data(
        krimpen_nulmeting,
        v_kri_dg_eerder_delict="yes",
        v_kri_dg_aantal_eerdere_delicten=None,
        complete="1",
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].has_error("m_kri_dg_aantal_eerdere_delicten")


def test_follow_up_questions_are_hidden_when_the_saved_answer_does_not_call_for_them(
    client, krimpen_nulmeting
):
    url = _login(client, krimpen_nulmeting)
    client.post(
        url, {"version": krimpen_nulmeting.version, "v_kri_dg_eerder_delict": "no"}
    )
    page = _parse(client.get(url).content.decode())
    assert "kri_dg_aantal_eerdere_delicten" in page.hidden_sets
    assert "kri_dg_type_eerdere_delicten" in page.hidden_sets
    assert "kri_dg_eerder_delict" not in page.hidden_sets
    body = client.get(url).content.decode()
    assert 'data-condition-var="kri_dg_eerder_delict"' in body
    assert "evaluation/conditions" in body  # enhanced by a static script


def test_a_number_outside_its_plausible_range_is_refused_naming_range_and_unit(
    client, krimpen_nulmeting
):
    url = _login(client, krimpen_nulmeting)
    response = client.post(
        url, {"version": krimpen_nulmeting.version, "v_kri_dg_strafrestant": "500"}
    )
    assert response.status_code == 200
    message = response.context["form"].errors["v_kri_dg_strafrestant"][0]
    assert "0" in message
    assert "120" in message
    assert "maanden" in message
    body = response.content.decode()
    item = Item.objects.get(var="kri_dg_strafrestant")
    assert f"{item.text} (maanden)" in body
    assert 'max="120"' in body


def test_no_needs_its_reason_and_a_reason_does_not_go_with_yes(client, db):
    site = SiteFactory(code="krimpen", name="KV Krimpen")
    krimpen_catalogue(site)
    stay = StayFactory(site=site, placed_on=D(2022, 1, 10))
    schedule_sync_for_stay(stay=stay, today=D(2022, 1, 10))
    stay.ended_on = D(2022, 9, 1)
    stay.outflow_type = "end_of_sentence"
    stay.save()
    schedule_sync_for_stay(stay=stay, today=D(2022, 9, 1))
    eind = Measurement.objects.get(stay=stay, moment=Moment.EINDMETING)
    url = _login(client, eind)
    response = client.post(
        url,
        _complete_data(
            eind,
            v_kri_act_ondersteuning_buddy="no",
            r_kri_act_succesvolle_uitvoering="niet nodig",
            complete="1",
        ),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("r_kri_act_ondersteuning_buddy")  # no without reason
    assert form.has_error("r_kri_act_succesvolle_uitvoering")  # reason with yes
    eind.refresh_from_db()
    assert eind.status == MeasurementStatus.PLANNED
    # the reason field shows next to the no, not next to an unanswered item
    page = _parse(
        client.get(url).content.decode()
    )  # nothing saved: all reasons out of sight
    reason_ids = [c["id"] for c in page.controls if c["name"].startswith("r_")]
    assert reason_ids

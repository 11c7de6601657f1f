"""What the person page and the person's history show of measurements."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from core.history import audited_case_models
from evaluation.models import Item, Measurement
from evaluation.services import (
    AnswerInput,
    item_label,
    measurement_save,
    schedule_sync_for_stay,
)
from tests.factories import StayFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def _schedule_labels(body: str) -> list[str]:
    section = re.search(
        r'<section aria-labelledby="h-measurements">(.*?)</section>', body, re.S
    )
    assert section
    return re.findall(r"<tr><td>[^<]*</td><td>([^<]+)</td>", section.group(1))


def test_person_page_lists_measurements_in_moment_order(
    client, casemanager_almelo, stay, settings
):
    settings.KV_NAMETING_MONTHS = [6, 12]
    # the stay is still open: eindmeting and namentingen have no date yet;
    # the daily sync adds the tussenmetingen as they come within reach
    day = stay.placed_on
    while day <= D(2021, 12, 1):
        schedule_sync_for_stay(stay=stay, today=day)
        day += datetime.timedelta(days=30)
    tussen = Measurement.objects.filter(stay=stay, moment="tussenmeting").count()
    assert tussen >= 2

    client.force_login(casemanager_almelo)
    body = client.get(
        reverse("core:person_detail", args=[stay.person_id])
    ).content.decode()

    by_key = {m.column_key: m.label for m in Measurement.objects.filter(stay=stay)}
    assert _schedule_labels(body) == [
        by_key["nulmeting-0"],
        *[by_key[f"tussenmeting-{n}"] for n in range(1, tussen + 1)],
        by_key["eindmeting-0"],
        by_key["nameting-6"],
        by_key["nameting-12"],
    ]


def _fill(measurement, values: dict[Item, AnswerInput]) -> None:
    measurement.refresh_from_db()
    measurement_save(
        measurement=measurement,
        answers=values,
        expected_version=measurement.version,
        user=None,
    )


def test_history_shows_answers_by_item_text_and_moment(
    client, casemanager_almelo, nulmeting
):
    site_id = nulmeting.stay.site_id
    delict = Item.objects.get(var=f"t{site_id}_type_delict")
    dutch = Item.objects.get(var=f"t{site_id}_nederlands")
    _fill(
        nulmeting,
        {
            delict: AnswerInput(value="inbraak"),
            dutch: AnswerInput(missing_reason="refused"),
        },
    )

    client.force_login(casemanager_almelo)
    body = client.get(
        reverse("core:person_history", args=[nulmeting.stay.person_id])
    ).content.decode()

    assert f"{item_label(delict)} (nulmeting): inbraak" in body
    assert f"{item_label(dutch)} (nulmeting): " in body
    assert delict.var not in body
    assert "=None" not in body


def test_history_reads_answers_without_a_query_per_answer(
    client, casemanager_almelo, almelo, catalogue, django_assert_max_num_queries
):
    stay = StayFactory(site=almelo, placed_on=D(2020, 1, 6))
    measurements = schedule_sync_for_stay(stay=stay, today=D(2021, 6, 1))
    items = [
        item
        for item in Item.objects.filter(catalogue=catalogue)
        if item.answer_type == "text"
    ]
    url = reverse("core:person_history", args=[stay.person_id])
    client.force_login(casemanager_almelo)

    def fill(count: int) -> None:
        for measurement in measurements[:count]:
            _fill(measurement, {item: AnswerInput(value="x") for item in items})

    fill(1)
    client.get(url)
    # one history table per audited case model (core.history), plus the page
    # (the last of whose queries is the read-access log's insert)
    ceiling = len(audited_case_models()) + 21
    with django_assert_max_num_queries(ceiling) as few:
        client.get(url)
    fill(6)
    with django_assert_max_num_queries(ceiling) as many:
        client.get(url)
    # six times the answers, the same queries
    assert len(many.captured_queries) == len(few.captured_queries)

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from evaluation.models import Measurement
from evaluation.selectors import completeness_for_site, schedule_for_site
from evaluation.services import (
    AnswerInput,
    items_for,
    measurement_save,
    schedule_sync_for_stay,
)
from tests.factories import StayFactory

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2021, 6, 1)


def _stays(site, count):
    stays = []
    for index in range(count):
        stay = StayFactory(
            site=site, placed_on=D(2021, 1, 1) + datetime.timedelta(days=index)
        )
        # registered on the day of placement, then the daily sync
        for day in (stay.placed_on, stay.placed_on + datetime.timedelta(days=1), TODAY):
            schedule_sync_for_stay(stay=stay, today=day)
        stays.append(stay)
    return stays


def _fill_nulmeting(stay, *, values: int, missing: int = 0, complete=False):
    measurement = Measurement.objects.get(stay=stay, moment="nulmeting")
    items = [
        i for i in items_for(measurement.catalogue, "nulmeting") if not i.derived_from
    ]
    answers = {item: AnswerInput(value="x") for item in items[:values]}
    answers.update(
        {
            item: AnswerInput(missing_reason="refused")
            for item in items[values : values + missing]
        }
    )
    if complete:
        # completing needs a value or a reason for every item
        answers.update(
            {
                item: AnswerInput(missing_reason="not_asked")
                for item in items[values + missing :]
            }
        )
    measurement_save(
        measurement=measurement,
        answers=answers,
        expected_version=measurement.version,
        user=None,
        complete=complete,
    )


def test_completeness_counts_answered_items_per_moment_and_item(almelo, catalogue):
    first, second = _stays(almelo, 2)
    _fill_nulmeting(first, values=2, complete=True)
    _fill_nulmeting(second, values=1, missing=1)
    data = completeness_for_site(site=almelo, today=TODAY)

    # nulmeting asks 5 items (2 derived, 2 characteristics, 1 scale) per stay;
    # completing stores the 2 registered values, a partial save does not.
    nul = data["per_moment"]["nulmeting"]
    assert (nul["expected"], nul["answered"]) == (10, 5)
    by_item = {(s["var"], s["moment"]): s for s in data["per_item"]}
    type_delict = by_item[(f"t{almelo.pk}_type_delict", "nulmeting")]
    assert (type_delict["answered"], type_delict["rate"]) == (2, 1.0)
    nederlands = by_item[(f"t{almelo.pk}_nederlands", "nulmeting")]
    assert (nederlands["answered"], nederlands["rate"]) == (1, 0.5)
    assert data["totals"]["complete"] == 1


def test_completeness_grid_has_a_row_per_stay_with_pseudonyms_and_moment_columns(
    almelo, catalogue
):
    first, _ = _stays(almelo, 2)
    _fill_nulmeting(first, values=1, complete=True)
    data = completeness_for_site(site=almelo, today=TODAY)
    assert [c["key"] for c in data["columns"]][:3] == [
        "nulmeting-0",
        "tussenmeting-1",
        "tussenmeting-2",
    ]
    assert [c["key"] for c in data["columns"]][-3:] == [
        "eindmeting-0",
        "nameting-6",
        "nameting-12",
    ]
    row = data["rows"][0]
    assert row["pseudonym"] == first.person.pseudonym
    assert "first_name" not in row
    assert row["cells"]["nulmeting-0"]["timing"] == "done"
    assert row["cells"]["tussenmeting-1"]["timing"] == "missed"
    assert row["cells"]["tussenmeting-2"]["timing"] == "due"
    assert row["cells"]["eindmeting-0"]["timing"] == "waiting"


def test_completeness_period_limits_to_measurements_due_in_it(almelo, catalogue):
    _stays(almelo, 1)
    data = completeness_for_site(
        site=almelo, start=D(2021, 3, 1), end=D(2021, 5, 1), today=TODAY
    )
    assert [c["key"] for c in data["columns"]] == ["tussenmeting-1"]


def test_due_overdue_and_missed_lists(almelo, catalogue):
    _stays(almelo, 1)
    lists = schedule_for_site(site=almelo, today=D(2021, 7, 1))
    assert [m.column_key for m in lists["missed"]] == ["nulmeting-0", "tussenmeting-1"]
    assert [m.column_key for m in lists["overdue"]] == ["tussenmeting-2"]
    assert lists["due"] == []
    assert [m.column_key for m in lists["waiting"]] == [
        "eindmeting-0",
        "nameting-6",
        "nameting-12",
    ]


@pytest.mark.parametrize(
    ("url_name", "user_fixture"),
    [
        ("evaluation:completeness", "project_leader_almelo"),
        ("evaluation:schedule", "researcher_almelo"),
        ("evaluation:catalogue", "researcher_almelo"),
        ("evaluation:kv_measurement_list", "researcher_almelo"),
    ],
)
def test_site_pages_use_a_fixed_number_of_queries(
    client,
    request,
    almelo,
    catalogue,
    django_assert_max_num_queries,
    url_name,
    user_fixture,
):
    user = request.getfixturevalue(user_fixture)
    client.force_login(user)
    url = reverse(url_name, args=["almelo"])
    for stay in _stays(almelo, 2):
        _fill_nulmeting(stay, values=2)
    client.get(url)  # settles the schedules of the stays
    # session, user, memberships, site, stays needing a schedule, then the
    # page's own reads (measurements, items, answers): at most 15 for 2
    # stays and for 14.
    with django_assert_max_num_queries(15):
        client.get(url)
    for stay in _stays(almelo, 12):
        _fill_nulmeting(stay, values=3, complete=True)
    client.get(url)
    with django_assert_max_num_queries(15):
        response = client.get(url)
    assert response.status_code == 200


def test_home_page_counts_due_overdue_and_missed_per_site(
    client, researcher_almelo, almelo, catalogue, django_assert_max_num_queries
):
    from evaluation.selectors import schedule_counts

    first, *_ = _stays(almelo, 3)
    _fill_nulmeting(first, values=1)
    (row,) = schedule_counts(site_ids={almelo.pk}, today=D(2021, 7, 1))
    # placed on 1, 2 and 3 January: nulmeting and tussenmeting 1 closed, one
    # nulmeting partly entered; tussenmeting 2 is due on 30 June (overdue),
    # 1 and 2 July (due); the same split as the schedule lists
    assert (row["due"], row["overdue"], row["incomplete"], row["missed"]) == (
        2,
        1,
        1,
        5,
    )
    lists = schedule_for_site(site=almelo, today=D(2021, 7, 1))
    assert len(lists["incomplete"]) == 1
    assert len(lists["missed"]) == 5
    client.force_login(researcher_almelo)
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    assert 'id="home-measurements"' in response.content.decode()

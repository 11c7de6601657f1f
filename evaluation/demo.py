"""Demo measurements: schedules for every stay, partly filled, some locked.

Everything goes through the services, like the UI. Values are random but
plausible; some items are left open with a missing-data reason.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError

from core.demo import DemoContext
from evaluation.derived import resolve
from evaluation.models import AnswerType, Item, MissingReason, Moment
from evaluation.services import (
    AnswerInput,
    items_for,
    kv_measurement_create,
    measurement_save,
    schedule_sync_for_stay,
)


def _value(item: Item, ctx: DemoContext) -> Any:
    rng = ctx.rng
    match item.answer_type:
        case AnswerType.YES_NO | AnswerType.YES_NO_REASON:
            return rng.random() < 0.7
        case AnswerType.SCALE5 | AnswerType.CHOICE:
            return rng.choice(item.choice_pairs())[0]
        case AnswerType.MULTI_CHOICE:
            return [rng.choice(item.choice_pairs())[0]]
        case AnswerType.NUMBER:
            return rng.randint(0, 12)
        case AnswerType.DATE:
            return (
                ctx.today - datetime.timedelta(days=rng.randint(0, 400))
            ).isoformat()
    return "Demo-toelichting (fictief)."


def _fill(
    measurement: Any, items: list[Item], ctx: DemoContext, stay: Any, user: Any
) -> None:
    answers = {}
    for item in items:
        derived = (
            resolve(item.derived_from, stay) if stay and item.derived_from else None
        )
        if derived is not None:
            answers[item] = AnswerInput(value=derived.value)
            continue
        roll = ctx.rng.random()
        if roll < 0.1:
            answers[item] = AnswerInput(
                missing_reason=ctx.rng.choice(MissingReason.values)
            )
        elif roll < 0.85:
            value = _value(item, ctx)
            answers[item] = AnswerInput(
                value=value,
                reason_text="Demo: reden (fictief)."
                if item.answer_type == AnswerType.YES_NO_REASON and value is False
                else "",
                source="Demo-bron (fictief)" if item.record_source else "",
                checked_on=ctx.today if item.record_source else None,
            )
    measurement_save(
        measurement=measurement,
        answers=answers,
        expected_version=measurement.version,
        user=user,
        complete=ctx.rng.random() < 0.5,
    )


def seed_measurements(ctx: DemoContext) -> None:
    from trajectories.models import Stay

    stays = {stay.pk: stay for stay in ctx.extra.get("stays", [])}
    stays.update(
        {stay.pk: stay for stay in Stay.objects.select_related("site", "person")}
    )
    made = []
    for stay in stays.values():
        for measurement in schedule_sync_for_stay(stay=stay, today=ctx.today):
            made.append(measurement)
            if measurement.window_start is None or measurement.window_start > ctx.today:
                continue
            if ctx.rng.random() < 0.25:
                continue  # left open: shows up as overdue or missed
            user = ctx.users.get(f"onderzoek-{stay.site.code}")
            items = items_for(measurement.catalogue, measurement.moment)
            _fill(measurement, items, ctx, stay, user)
    for site in ctx.sites.values():
        end = ctx.today.replace(day=1) - datetime.timedelta(days=1)
        try:
            kv_measurement = kv_measurement_create(
                site=site, period_start=end.replace(month=1, day=1), period_end=end
            )
        except ValidationError:  # a site without a catalogue gets none
            continue
        _fill(
            kv_measurement,
            items_for(kv_measurement.catalogue, None),
            ctx,
            None,
            ctx.users.get(f"onderzoek-{site.code}"),
        )
    ctx.extra["measurements"] = made
    ctx.extra.setdefault("moments", list(Moment.values))

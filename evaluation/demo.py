"""Demo measurements: the schedules the stay services made, filled in.

Everything goes through the services, like the UI. Nearly every measurement
whose window has closed is complete (a few items with a missing-data
reason), a few are incomplete and very few missed; of the ones in their
window today some are done, the rest due or overdue. Values are random but
plausible.
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
            low = int(item.min_value if item.min_value is not None else 0)
            high = int(item.max_value if item.max_value is not None else low + 12)
            return rng.randint(low, low + max(1, (high - low) // 8))
        case AnswerType.DATE:
            return (
                ctx.today - datetime.timedelta(days=rng.randint(0, 400))
            ).isoformat()
    return "Demo-toelichting (fictief)."


def _fill(
    measurement: Any,
    items: list[Item],
    ctx: DemoContext,
    stay: Any,
    user: Any,
    *,
    complete: bool,
    respondent_group: str = "",
    lock: bool | None = None,
) -> None:
    """Answer ``items``: a completed measurement answers every item, a few
    with a missing-data reason; one still in progress leaves some open.
    ``lock`` (default: ``complete``) completes the measurement."""
    answers = {}
    given: dict[str, AnswerInput] = {}
    checked_on = min(measurement_day(measurement, ctx), ctx.today)
    for item in items:
        derived = (
            resolve(item.derived_from, stay) if stay and item.derived_from else None
        )
        if derived is not None:
            answers[item] = given[item.var] = AnswerInput(value=derived.value)
            continue
        if item.condition:
            # a follow-up question only after the answer that calls for it
            above = given.get(item.condition_var, AnswerInput())
            if above.missing_reason or not item.condition_met(above.value):
                continue
        roll = ctx.rng.random()
        if roll < 0.05:
            answers[item] = given[item.var] = AnswerInput(
                missing_reason=ctx.rng.choice(MissingReason.values)
            )
        elif complete or roll < 0.6:
            value = _value(item, ctx)
            answers[item] = given[item.var] = AnswerInput(
                value=value,
                reason_text="Demo: reden (fictief)."
                if item.answer_type == AnswerType.YES_NO_REASON and value is False
                else "",
                source="Demo-bron (fictief)" if item.record_source else "",
                checked_on=checked_on if item.record_source else None,
            )
    measurement_save(
        measurement=measurement,
        answers=answers,
        expected_version=measurement.version,
        user=user,
        complete=complete if lock is None else lock,
        respondent_group=respondent_group,
    )


#: who the demo's KV-level interviews spoke to; each group answers every
#: item, the last one's save completes the measurement
DEMO_RESPONDENT_GROUPS = ("management", "staff", "external_partners")


def measurement_day(measurement: Any, ctx: DemoContext) -> datetime.date:
    due = getattr(measurement, "due_on", None) or getattr(
        measurement, "period_end", None
    )
    return due or ctx.today


def _fate(measurement: Any, today: datetime.date, rng: Any) -> str:
    """complete / partial / open for a measurement whose window has opened:
    nearly all past ones are complete, very few missed; of those in their
    window now some are still to do or overdue."""
    roll = rng.random()
    if measurement.window_end is not None and measurement.window_end < today:
        return "complete" if roll < 0.95 else "partial" if roll < 0.98 else "open"
    if measurement.due_on is not None and measurement.due_on < today:
        return "complete" if roll < 0.6 else "partial" if roll < 0.7 else "open"
    return "complete" if roll < 0.35 else "open"


def seed_measurements(ctx: DemoContext) -> None:
    from evaluation.models import WITHOUT_DATA, Measurement

    # The stays were placed and ended on their own (mocked) days; the
    # schedules of the stays still running are brought up to today.
    for stay in ctx.extra.get("stays", []):
        if stay.ended_on is None:
            schedule_sync_for_stay(stay=stay, today=ctx.today)
    made = []
    items_cache: dict[tuple[int, str], list[Item]] = {}
    measurements = (
        Measurement.objects.exclude(status__in=WITHOUT_DATA)
        .select_related("stay__site", "stay__person", "catalogue")
        .order_by("stay__placed_on", "stay_id", "due_on", "pk")
    )
    for measurement in measurements:
        made.append(measurement)
        if measurement.window_start is None or measurement.window_start > ctx.today:
            continue
        fate = _fate(measurement, ctx.today, ctx.rng)
        if fate == "open":
            continue
        stay = measurement.stay
        key = (measurement.catalogue_id, measurement.moment)
        if key not in items_cache:
            items_cache[key] = items_for(measurement.catalogue, measurement.moment)
        _fill(
            measurement,
            items_cache[key],
            ctx,
            stay,
            ctx.users.get(f"onderzoek-{stay.site.code}"),
            complete=fate == "complete",
        )
    for site in ctx.sites.values():
        end = ctx.today.replace(day=1) - datetime.timedelta(days=1)
        try:
            kv_measurement = kv_measurement_create(
                site=site, period_start=end.replace(month=1, day=1), period_end=end
            )
        except ValidationError:  # a site without a catalogue gets none
            continue
        kv_items = items_for(kv_measurement.catalogue, None)
        for group in DEMO_RESPONDENT_GROUPS:
            kv_measurement.refresh_from_db()
            _fill(
                kv_measurement,
                kv_items,
                ctx,
                None,
                ctx.users.get(f"onderzoek-{site.code}"),
                complete=True,
                respondent_group=group,
                lock=group == DEMO_RESPONDENT_GROUPS[-1],
            )
    ctx.extra["measurements"] = made
    ctx.extra.setdefault("moments", list(Moment.values))

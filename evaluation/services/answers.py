"""What a form gives for an item and the checks on it: values, ranges,
follow-up questions, consistency and completeness.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from evaluation.derived import resolve
from evaluation.models import (
    Answer,
    AnswerType,
    Item,
    KvAnswer,
    KvMeasurement,
    Measurement,
)
from evaluation.registration import respondent_group_name
from evaluation.services.items import item_label
from evaluation.services.messages import (
    CANNOT_COMPLETE,
    GROUP_INCOMPLETE,
    NOT_CALLED_FOR,
    OUT_OF_RANGE,
    REASON_REQUIRED,
    REASON_WITH_YES,
    SOURCE_REQUIRED,
    VALUE_AND_MISSING,
)


@dataclass(frozen=True)
class AnswerInput:
    """What a form collected for one item."""

    value: Any = None
    missing_reason: str = ""
    reason_text: str = ""
    source: str = ""
    checked_on: datetime.date | None = None


def _has_value(value: Any) -> bool:
    return value not in (None, "", [])


def _check_input(item: Item, given: AnswerInput) -> list[ValidationError]:
    errors = []
    has_value = _has_value(given.value)
    label = item_label(item)
    if has_value and given.missing_reason:
        errors.append(
            ValidationError(
                VALUE_AND_MISSING,
                code="value_and_missing",
                params={"item": label, "var": item.var},
            )
        )
    if (
        has_value
        and item.record_source
        and not (given.source.strip() and given.checked_on)
    ):
        errors.append(
            ValidationError(
                SOURCE_REQUIRED,
                code="source_required",
                params={"item": label, "var": item.var},
            )
        )
    return errors


@dataclass(frozen=True)
class _Effective:
    """What an item holds once a save is applied: the input given, else the
    stored answer, else the registered value of a derived item."""

    value: Any = None
    missing_reason: str = ""
    reason_text: str = ""
    registered: bool = False

    @property
    def filled(self) -> bool:
        return _has_value(self.value) or bool(self.missing_reason)


def _owned(owner_field: str, owner: Any, group: str | None) -> dict[str, Any]:
    """The lookup of one owner's answers: a KV-level measurement's answers of
    one respondent group ('' = not specified) when ``group`` is given."""
    lookup: dict[str, Any] = {owner_field: owner}
    if group is not None:
        lookup["respondent_group"] = group
    return lookup


def _effective_answers(
    owner: Measurement | KvMeasurement,
    answer_model: type[Answer] | type[KvAnswer],
    owner_field: str,
    answers: dict[Item, AnswerInput],
    items: list[Item],
    group: str | None = None,
) -> dict[int, _Effective]:
    stay = owner.stay if isinstance(owner, Measurement) else None
    given = {item.pk: entry for item, entry in answers.items()}
    stored = {
        answer.item_id: answer
        for answer in answer_model.objects.filter(**_owned(owner_field, owner, group))
    }
    effective = {}
    for item in items:
        if item.pk in given:
            entry = given[item.pk]
            current = _Effective(
                entry.value, entry.missing_reason, entry.reason_text.strip()
            )
        elif item.pk in stored:
            answer = stored[item.pk]
            current = _Effective(
                answer.value, answer.missing_reason, answer.reason_text.strip()
            )
        else:
            current = _Effective()
        if not current.filled and item.derived_from and stay is not None:
            derived = resolve(item.derived_from, stay)
            if derived is not None:
                current = _Effective(derived.value, registered=True)
        effective[item.pk] = current
    return effective


def called_for(
    item: Item, effective: dict[int, _Effective], by_var: dict[str, Item]
) -> bool | None:
    """Whether the answer above calls for ``item`` ("Indien ja, ...").

    True for an unconditional item; False when the item above has another
    answer or is itself missing (nothing to follow up); None while the item
    above is still open.
    """
    if not item.condition:
        return True
    above = by_var.get(item.condition_var)
    if above is None:
        return True
    state = effective.get(above.pk, _Effective())
    if state.missing_reason:
        return False
    return item.condition_met(state.value)


def _out_of_range(item: Item, value: Any) -> bool:
    if item.answer_type != AnswerType.NUMBER or not _has_value(value):
        return False
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return True
    low, high = item.min_value, item.max_value
    return (low is not None and number < low) or (high is not None and number > high)


def _consistency_errors(
    owner: Measurement | KvMeasurement,
    answers: dict[Item, AnswerInput],
    effective: dict[int, _Effective],
    by_var: dict[str, Item],
) -> list[ValidationError]:
    """Answers that contradict the form itself, refused on every save: a
    number outside its plausible range, an answer to a follow-up question the
    answer above does not call for, a "reason why not" next to a yes."""
    errors = []
    person_level = isinstance(owner, Measurement)
    for item, given in answers.items():
        params = {"item": item_label(item), "var": item.var}
        if _out_of_range(item, given.value):
            errors.append(
                ValidationError(
                    OUT_OF_RANGE,
                    code="out_of_range",
                    params={
                        **params,
                        "min": _plain(item.min_value),
                        "max": _plain(item.max_value),
                        "unit": item.unit,
                    },
                )
            )
        if _has_value(given.value) and called_for(item, effective, by_var) is False:
            above = by_var[item.condition_var]
            errors.append(
                ValidationError(
                    NOT_CALLED_FOR,
                    code="not_called_for",
                    params={
                        **params,
                        "above": item_label(above),
                        "answer": above.display(item.condition_value),
                    },
                )
            )
        if (
            person_level
            and item.answer_type == AnswerType.YES_NO_REASON
            and given.value is True
            and given.reason_text.strip()
        ):
            errors.append(
                ValidationError(REASON_WITH_YES, code="reason_with_yes", params=params)
            )
    return errors


def _plain(number: Decimal | None) -> str:
    if number is None:
        return "-"
    return f"{number.normalize():f}"


def _completion_problems(
    owner: Measurement | KvMeasurement,
    effective: dict[int, _Effective],
    items: list[Item],
    by_var: dict[str, Item],
) -> tuple[list[Item], list[Item]]:
    """Items that would be left without a value or a missing-data reason, and
    yes/no items answered "no" without the reason why not.

    A derived item is excused while its registered value exists (the form
    shows it instead of asking), a follow-up question while the answer above
    does not call for it (it is stored as "not applicable").
    """
    lacking, reasons = [], []
    for item in items:
        state = effective[item.pk]
        if not state.filled and called_for(item, effective, by_var) is not False:
            lacking.append(item)
        if (
            isinstance(owner, Measurement)
            and item.answer_type == AnswerType.YES_NO_REASON
            and state.value is False
            and not state.registered
            and not state.reason_text
        ):
            reasons.append(item)
    return lacking, reasons


class MeasurementIncompleteError(ValidationError):
    """Completion refused; ``items`` lack both a value and a missing reason,
    ``reasons`` are answered "no" without the reason why not."""

    def __init__(
        self,
        items: list[Item],
        reasons: list[Item] | None = None,
        others: list[ValidationError] | None = None,
    ) -> None:
        reasons = reasons or []
        messages = list(others or [])
        if items:
            messages.append(
                ValidationError(
                    CANNOT_COMPLETE,
                    code="incomplete",
                    params={"items": "; ".join(item_label(item, 50) for item in items)},
                )
            )
        messages.extend(
            ValidationError(
                REASON_REQUIRED,
                code="reason_required",
                params={"item": item_label(item), "var": item.var},
            )
            for item in reasons
        )
        super().__init__(messages)
        self.items = items
        self.reasons = reasons


def _kv_group_problems(
    kv_measurement: KvMeasurement,
    group: str,
    items: list[Item],
    by_var: dict[str, Item],
) -> tuple[bool, list[ValidationError]]:
    """For completing a KV-level measurement: whether any respondent group
    other than ``group`` has answers, and every other group left incomplete
    (a group nobody answered for was not interviewed and blocks nothing)."""
    others = sorted(
        set(
            KvAnswer.objects.filter(kv_measurement=kv_measurement)
            .exclude(respondent_group=group)
            .values_list("respondent_group", flat=True)
        )
    )
    errors = []
    for other in others:
        state = _effective_answers(
            kv_measurement, KvAnswer, "kv_measurement", {}, items, other
        )
        lacking, _reasons = _completion_problems(kv_measurement, state, items, by_var)
        if lacking:
            errors.append(
                ValidationError(
                    GROUP_INCOMPLETE,
                    code="group_incomplete",
                    params={
                        "group": respondent_group_name(other),
                        "items": "; ".join(item_label(i, 50) for i in lacking),
                    },
                )
            )
    return bool(others), errors

"""Entering answers: save, complete (locks) and reopen a measurement."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop

from core.concurrency import ConcurrentEditError, FieldChange
from core.models import AuditKind
from core.services import audit_event_record
from evaluation.derived import resolve
from evaluation.derived import source_label as derived_source_label
from evaluation.models import (
    Answer,
    Item,
    KvAnswer,
    KvMeasurement,
    Measurement,
    MeasurementStatus,
    MissingReason,
)
from evaluation.registration import respondent_groups
from evaluation.services.answers import (
    AnswerInput,
    MeasurementIncompleteError,
    _check_input,
    _completion_problems,
    _consistency_errors,
    _Effective,
    _effective_answers,
    _kv_group_problems,
    _owned,
    called_for,
)
from evaluation.services.items import items_for
from evaluation.services.messages import (
    MEASUREMENT_CANCELLED,
    MEASUREMENT_LOCKED,
    REOPEN_NOT_LOCKED,
    REOPEN_REASON_REQUIRED,
    UNKNOWN_GROUP,
)
from evaluation.summaries import answers_written_together


def _store_not_called_for(
    measurement: Measurement,
    effective: dict[int, _Effective],
    items: list[Item],
    by_var: dict[str, Item],
) -> None:
    """On completion a follow-up question the answer above did not call for
    is stored as "not applicable", so the dataset says why it is empty."""
    answered = set(
        Answer.objects.filter(measurement=measurement).values_list("item_id", flat=True)
    )
    for item in items:
        if item.pk in answered or effective[item.pk].filled:
            continue
        if called_for(item, effective, by_var) is False:
            answer = Answer(
                measurement=measurement,
                item=item,
                missing_reason=MissingReason.NOT_APPLICABLE,
            )
            answer.full_clean(exclude=["measurement", "item"])
            answer.save()


def _store_answers(
    owner: Measurement | KvMeasurement,
    answer_model: type[Answer] | type[KvAnswer],
    owner_field: str,
    answers: dict[Item, AnswerInput],
    group: str | None = None,
) -> None:
    lookup = _owned(owner_field, owner, group)
    current = {a.item_id: a for a in answer_model.objects.filter(**lookup)}
    for item, given in answers.items():
        empty = (
            given.value in (None, "", [])
            and not given.missing_reason
            and not given.reason_text.strip()
            and not given.source.strip()
            and given.checked_on is None
        )
        answer = current.get(item.pk)
        if empty:
            if answer is not None:
                answer.delete()
            continue
        if answer is None:
            answer = answer_model(**lookup, item=item)
        answer.value = None if given.value in ("", []) else given.value
        answer.missing_reason = given.missing_reason
        answer.reason_text = given.reason_text.strip()
        answer.source = given.source.strip()
        answer.checked_on = given.checked_on
        answer.full_clean(exclude=[owner_field, "item"])
        answer.save()


def _store_derived_values(measurement: Measurement) -> None:
    """Keep the registered value of each derived item with the completed
    measurement: what was true then is what the dataset shows, even when the
    registration changes later."""
    answered = set(
        Answer.objects.filter(measurement=measurement).values_list("item_id", flat=True)
    )
    for item in items_for(measurement.catalogue, measurement.moment):
        if not item.derived_from or item.pk in answered:
            continue
        derived = resolve(item.derived_from, measurement.stay)
        if derived is None:
            continue
        answer = Answer(
            measurement=measurement,
            item=item,
            value=derived.value,
            source=f"{derived_source_label(item.derived_from)} ({item.derived_from})",
        )
        answer.full_clean(exclude=["measurement", "item"])
        answer.save()


def _answer_changes(
    owner: Measurement | KvMeasurement,
    answer_model: type[Answer] | type[KvAnswer],
    owner_field: str,
    answers: dict[Item, AnswerInput],
    group: str | None = None,
) -> list[FieldChange]:
    """Items whose stored value differs from what the refused save submitted."""
    lookup = _owned(owner_field, owner, group)
    stored = {a.item_id: a for a in answer_model.objects.filter(**lookup)}
    changes = []
    for item, given in answers.items():
        answer = stored.get(item.pk)
        now = (answer.value, answer.missing_reason) if answer else (None, "")
        submitted = (
            None if given.value in ("", []) else given.value,
            given.missing_reason,
        )
        if now != submitted:
            changes.append(
                FieldChange(
                    field=item.var,
                    label=item.text,
                    stored=item.display(now[0]) or now[1],
                    submitted=item.display(submitted[0]) or submitted[1],
                )
            )
    return changes


def _bump_version(
    model: type[Measurement] | type[KvMeasurement], pk: int, expected: int
) -> bool:
    """Optimistic lock: raise the version only if nobody else did first."""
    return bool(
        model.objects.filter(pk=pk, version=expected).update(version=F("version") + 1)
    )


@transaction.atomic
def measurement_save(
    *,
    measurement: Measurement | KvMeasurement,
    answers: dict[Item, AnswerInput],
    expected_version: int,
    user: AbstractBaseUser | None,
    complete: bool = False,
    respondent_group: str = "",
) -> Measurement | KvMeasurement:
    """Store entered answers (partial save allowed); ``complete`` locks it.

    Refused when the measurement is locked or cancelled, when an item has
    both a value and a missing-data reason, when it was saved by someone else
    since the form was opened (``expected_version``), or, for ``complete``,
    when an item asked at this moment would be left without a value and
    without a reason (``MeasurementIncompleteError``, listing those items).

    A KV-level measurement holds the answers of each ``respondent_group``
    apart ('' = not specified, answers from before the groups); completing it
    needs every group that has answers to be complete.
    """
    model = type(measurement)
    fresh = model.objects.select_for_update().get(pk=measurement.pk)
    if fresh.status == MeasurementStatus.COMPLETE:
        raise ValidationError(MEASUREMENT_LOCKED, code="locked")
    if fresh.status == MeasurementStatus.CANCELLED:
        raise ValidationError(MEASUREMENT_CANCELLED, code="cancelled")
    kv_level = isinstance(fresh, KvMeasurement)
    answer_model, owner_field = (
        (KvAnswer, "kv_measurement") if kv_level else (Answer, "measurement")
    )
    group = respondent_group if kv_level else None
    if group and group not in respondent_groups():
        raise ValidationError(
            UNKNOWN_GROUP, code="unknown_group", params={"group": group}
        )
    items = items_for(
        fresh.catalogue, fresh.moment if isinstance(fresh, Measurement) else None
    )
    by_var = {item.var: item for item in items}
    effective = _effective_answers(
        fresh, answer_model, owner_field, answers, items, group
    )
    errors = [
        error for item, given in answers.items() for error in _check_input(item, given)
    ]
    errors += _consistency_errors(fresh, answers, effective, by_var)
    if complete:
        lacking, reasons = _completion_problems(fresh, effective, items, by_var)
        if kv_level:
            others, group_errors = _kv_group_problems(fresh, group or "", items, by_var)
            if others and not any(state.filled for state in effective.values()):
                lacking = []  # this group was not interviewed
            errors += group_errors
        if lacking or reasons or (kv_level and errors):
            # Nothing is stored: the whole save is refused so that the user
            # does not end up with a half-applied "complete"; every problem
            # is named at once.
            raise MeasurementIncompleteError(lacking, reasons, errors)
    if errors:
        raise ValidationError(errors, code="invalid")
    if not _bump_version(model, fresh.pk, expected_version):
        raise ConcurrentEditError(
            stored_version=fresh.version,
            changes=_answer_changes(fresh, answer_model, owner_field, answers, group),
            current=fresh,
        )
    # the answer summaries of the measurement are refreshed once, after all
    with answers_written_together():
        _store_answers(fresh, answer_model, owner_field, answers, group)
        if complete and isinstance(fresh, Measurement):
            _store_derived_values(fresh)
            _store_not_called_for(fresh, effective, items, by_var)
    fresh.refresh_from_db(fields=["version"])
    fresh.status = MeasurementStatus.IN_PROGRESS
    if complete:
        fresh.status = MeasurementStatus.COMPLETE
        fresh.completed_at = timezone.now()
        fresh.completed_by = user if user is not None and user.pk else None
    fresh.save(update_fields=["status", "completed_at", "completed_by"])
    return fresh


@transaction.atomic
def measurement_reopen(
    *,
    measurement: Measurement | KvMeasurement,
    user: AbstractBaseUser | None,
    reason: str,
) -> Measurement | KvMeasurement:
    """Unlock a completed measurement; the reason goes to the audit log."""
    if not reason.strip():
        raise ValidationError(REOPEN_REASON_REQUIRED, code="reason_required")
    model = type(measurement)
    fresh = model.objects.select_for_update().get(pk=measurement.pk)
    if fresh.status != MeasurementStatus.COMPLETE:
        raise ValidationError(REOPEN_NOT_LOCKED, code="not_locked")
    fresh.status = MeasurementStatus.IN_PROGRESS
    fresh.completed_at = None
    fresh.completed_by = None
    fresh.version += 1
    fresh.save(update_fields=["status", "completed_at", "completed_by", "version"])
    site = fresh.site if isinstance(fresh, KvMeasurement) else fresh.stay.site
    audit_event_record(
        actor=user,
        kind=AuditKind.REOPEN,
        site=site,
        summary=gettext_noop("Measurement %(label)s reopened"),
        params={"label": str(fresh.label)},
        details={"model": model.__name__, "pk": fresh.pk, "reason": reason.strip()},
    )
    return fresh

"""Writes for measurements: the schedule per stay, entering answers, locking
and reopening, and KV-level measurements."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from core.concurrency import ConcurrentEditError, FieldChange
from core.dates import add_days, add_months
from core.models import AuditKind, Site
from core.services import audit_event_record
from evaluation.catalogue import current_catalogue
from evaluation.derived import resolve
from evaluation.derived import source_label as derived_source_label
from evaluation.models import (
    WITHOUT_DATA,
    Answer,
    AnswerType,
    CatalogueVersion,
    Item,
    KvAnswer,
    KvMeasurement,
    Measurement,
    MeasurementStatus,
    MissingReason,
    Moment,
)
from evaluation.registration import respondent_group_name, respondent_groups
from evaluation.summaries import answers_written_together

MEASUREMENT_LOCKED = _(
    "This measurement is complete and locked. Reopen it, with a reason, to change it."
)
MEASUREMENT_CANCELLED = _("This measurement was cancelled when the schedule changed.")
REOPEN_REASON_REQUIRED = _("Give a reason for reopening this measurement.")
REOPEN_NOT_LOCKED = _("Only a completed measurement can be reopened.")
NO_CATALOGUE = _("No indicator catalogue is loaded for %(site)s.")
VALUE_AND_MISSING = _(
    "%(item)s: give either a value or a reason it is missing, not both."
)
SOURCE_REQUIRED = _("%(item)s: give the source and the date it was checked.")
CANNOT_COMPLETE = _(
    "The measurement was not completed: every item needs a value or a reason "
    "it is missing. Without either: %(items)s."
)
ITEM_NEEDS_VALUE_OR_REASON = _("Give a value or a reason it is missing.")
OUT_OF_RANGE = _("%(item)s: give a number from %(min)s to %(max)s %(unit)s.")
NOT_CALLED_FOR = _(
    "%(item)s: only answer this when '%(above)s' is '%(answer)s'; "
    "leave it empty or change the answer above."
)
REASON_WITH_YES = _("%(item)s: a reason why not only goes with the answer 'no'.")
REASON_REQUIRED = _("%(item)s: the answer is 'no'; give the reason why not.")
UNKNOWN_GROUP = _("Unknown respondent group: %(group)s.")
GROUP_INCOMPLETE = _(
    "The measurement was not completed: the answers of %(group)s still need a "
    "value or a reason it is missing for: %(items)s."
)


@dataclass(frozen=True)
class AnswerInput:
    """What a form collected for one item."""

    value: Any = None
    missing_reason: str = ""
    reason_text: str = ""
    source: str = ""
    checked_on: datetime.date | None = None


#: how far ahead tussenmetingen of a running stay are planned
SCHEDULE_HORIZON_DAYS = 2 * 366


def _window(
    due: datetime.date, earliest: datetime.date
) -> tuple[datetime.date, datetime.date]:
    days = settings.KV_MEASUREMENT_WINDOW_DAYS
    return max(add_days(due, -days), earliest), add_days(due, days)


def _planned_moments(
    stay: Any, today: datetime.date
) -> list[tuple[str, int, datetime.date | None, datetime.date]]:
    """(moment, sequence, due date, earliest window start) the stay should have."""
    placed: datetime.date = stay.placed_on
    ended: datetime.date | None = stay.ended_on
    interval = settings.KV_TUSSENMETING_INTERVAL_DAYS
    plan: list[tuple[str, int, datetime.date | None, datetime.date]] = [
        (Moment.NULMETING, 0, placed, placed)
    ]
    if ended is not None:
        bound = ended
    else:
        bound = add_days(
            max(getattr(stay, "expected_end", None) or today, today), interval
        )
        # A far expected end plans no further than the horizon; the daily
        # sync adds the later moments as time passes.
        bound = min(bound, add_days(today, SCHEDULE_HORIZON_DAYS))
    # add_days stops at the end of the plausible range, so the loop ends
    # there at the latest.
    sequence, due = 1, add_days(placed, interval)
    while due < bound:
        plan.append((Moment.TUSSENMETING, sequence, due, add_days(placed, 1)))
        following = add_days(due, interval)
        if following == due:
            break
        sequence, due = sequence + 1, following
    plan.append((Moment.EINDMETING, 0, ended, placed))
    for months in settings.KV_NAMETING_MONTHS:
        due_after = add_months(ended, int(months)) if ended else None
        plan.append((Moment.NAMETING, int(months), due_after, ended or placed))
    return plan


def _status_for_new_dates(
    measurement: Measurement, window_end: datetime.date | None, today: datetime.date
) -> str:
    """The status after a measurement's dates were (re)computed today.

    A window that had already closed when the dates were set was never a
    to-do: the measurement is "not taken (registered afterwards)" unless
    something was entered; a window still ahead makes it planned again.
    """
    has_answers = measurement.pk is not None and measurement.answers.exists()
    if has_answers:
        return MeasurementStatus.IN_PROGRESS
    if window_end is not None and window_end < today:
        return MeasurementStatus.NOT_TAKEN
    return MeasurementStatus.PLANNED


@transaction.atomic
def schedule_sync_for_stay(
    *, stay: Any, today: datetime.date | None = None
) -> list[Measurement]:
    """Create or adjust the measurement schedule of one stay; idempotent.

    Nulmeting at placement, a tussenmeting every configured interval while the
    stay lasts, eindmeting at outflow and the namentingen after it. When
    outflow comes early, tussenmetingen after the outflow date that hold no
    answers are cancelled, and the eindmeting and namentingen get their dates.
    Completed measurements are never moved.

    History is not turned into a to-do list: when a stay, placement or
    outflow is registered after the fact, a tussenmeting whose window has
    already closed is not created at all, and a nulmeting, eindmeting or
    nameting whose window has already closed is created (or re-dated) as
    "not taken (registered afterwards)": never due, overdue or missed, never
    exported, but it can still be filled in. A measurement that was planned
    while its window lay ahead keeps its status when the window passes, so a
    real miss still shows as missed.
    """
    today = today or timezone.localdate()
    catalogue = current_catalogue(stay.site)
    if catalogue is None:
        return []
    existing = {
        (m.moment, m.sequence): m
        for m in Measurement.objects.select_for_update().filter(stay=stay)
    }
    wanted = _planned_moments(stay, today)
    wanted_keys = set()
    result = []
    for moment, sequence, due, earliest in wanted:
        wanted_keys.add((moment, sequence))
        window = _window(due, earliest) if due else (None, None)
        measurement = existing.get((moment, sequence))
        if measurement is None:
            past = window[1] is not None and window[1] < today
            if past and moment == Moment.TUSSENMETING:
                continue
            measurement = Measurement(
                stay=stay,
                catalogue=catalogue,
                moment=moment,
                sequence=sequence,
                due_on=due,
                window_start=window[0],
                window_end=window[1],
                status=MeasurementStatus.NOT_TAKEN
                if past
                else MeasurementStatus.PLANNED,
            )
            measurement.full_clean()
            measurement.save()
        elif measurement.status != MeasurementStatus.COMPLETE:
            # Nothing answered yet: follow the site's newest catalogue version.
            if (
                measurement.catalogue_id != catalogue.pk
                and measurement.status in (*WITHOUT_DATA, MeasurementStatus.PLANNED)
                and not measurement.answers.exists()
            ):
                measurement.catalogue = catalogue
                measurement.version += 1
                measurement.save(update_fields=["catalogue", "version"])
            changed = (
                measurement.due_on != due
                or measurement.window_start != window[0]
                or measurement.window_end != window[1]
                or measurement.status == MeasurementStatus.CANCELLED
            )
            if changed:
                measurement.due_on = due
                measurement.window_start, measurement.window_end = window
                measurement.status = _status_for_new_dates(
                    measurement, window[1], today
                )
                measurement.version += 1
                measurement.full_clean()
                measurement.save()
        result.append(measurement)
    for key, measurement in existing.items():
        if key in wanted_keys or measurement.status in (
            MeasurementStatus.COMPLETE,
            MeasurementStatus.CANCELLED,
        ):
            continue
        if measurement.answers.exists():
            # Answers were given before outflow; keep them, they still count.
            continue
        measurement.status = MeasurementStatus.CANCELLED
        measurement.version += 1
        measurement.save(update_fields=["status", "version"])
    return result


def schedules_sync_due(*, every_stay: bool = False) -> int:
    """Sync the schedule of every stay that needs it (or of every stay);
    returns how many. Run daily by the worker; safe to run again."""
    from evaluation.selectors import stays_needing_schedule
    from trajectories.models import Stay

    stays = (
        Stay.objects.select_related("site") if every_stay else stays_needing_schedule()
    )
    count = 0
    for stay in stays:
        schedule_sync_for_stay(stay=stay)
        count += 1
    return count


def items_for(catalogue: CatalogueVersion, moment: str | None) -> list[Item]:
    """Answerable items of a catalogue at ``moment`` (None: the KV-level items)."""
    items = Item.objects.filter(catalogue=catalogue).select_related("topic", "parent")
    chosen = []
    for item in items:
        if item.is_group:
            continue
        if moment is None:
            if item.is_kv_level:
                chosen.append(item)
        elif not item.is_kv_level and moment in item.asked_at(item.topic.category):
            chosen.append(item)
    return chosen


def item_label(item: Item, length: int = 60) -> str:
    """An item as a user recognises it: its text, shortened."""
    return Truncator(item.text).chars(length)


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


@transaction.atomic
def kv_measurement_create(
    *, site: Site, period_start: datetime.date, period_end: datetime.date
) -> KvMeasurement:
    """Open a KV-level measurement (interview topics) for a period."""
    catalogue = current_catalogue(site)
    if catalogue is None:
        raise ValidationError(
            NO_CATALOGUE, code="no_catalogue", params={"site": site.name}
        )
    kv_measurement = KvMeasurement(
        site=site,
        catalogue=catalogue,
        period_start=period_start,
        period_end=period_end,
    )
    kv_measurement.full_clean()
    kv_measurement.save()
    return kv_measurement


def answerable(item: Item) -> bool:
    return item.answer_type != AnswerType.GROUP

"""Writes for measurements: the schedule per stay, entering answers, locking
and reopening.

One module per concept: ``schedules`` (the schedule per stay), ``items``
(the items a measurement asks), ``answers`` (the input for an item and the
checks on it), ``measurements`` (save, complete, reopen), ``kv`` (KV-level
measurements) and ``messages`` (their error texts). This ``__init__``
re-exports the public names.
"""

from evaluation.services.answers import (
    AnswerInput,
    MeasurementIncompleteError,
    called_for,
)
from evaluation.services.items import (
    answerable,
    item_label,
    items_for,
)
from evaluation.services.kv import (
    kv_measurement_create,
)
from evaluation.services.measurements import (
    measurement_reopen,
    measurement_save,
)
from evaluation.services.messages import (
    CANNOT_COMPLETE,
    GROUP_INCOMPLETE,
    ITEM_NEEDS_VALUE_OR_REASON,
    MEASUREMENT_CANCELLED,
    MEASUREMENT_LOCKED,
    NO_CATALOGUE,
    NOT_CALLED_FOR,
    OUT_OF_RANGE,
    REASON_REQUIRED,
    REASON_WITH_YES,
    REOPEN_NOT_LOCKED,
    REOPEN_REASON_REQUIRED,
    SOURCE_REQUIRED,
    UNKNOWN_GROUP,
    VALUE_AND_MISSING,
)
from evaluation.services.schedules import (
    SCHEDULE_HORIZON_DAYS,
    schedule_sync_for_stay,
    schedules_sync_due,
)

__all__ = [
    "CANNOT_COMPLETE",
    "GROUP_INCOMPLETE",
    "ITEM_NEEDS_VALUE_OR_REASON",
    "MEASUREMENT_CANCELLED",
    "MEASUREMENT_LOCKED",
    "NOT_CALLED_FOR",
    "NO_CATALOGUE",
    "OUT_OF_RANGE",
    "REASON_REQUIRED",
    "REASON_WITH_YES",
    "REOPEN_NOT_LOCKED",
    "REOPEN_REASON_REQUIRED",
    "SCHEDULE_HORIZON_DAYS",
    "SOURCE_REQUIRED",
    "UNKNOWN_GROUP",
    "VALUE_AND_MISSING",
    "AnswerInput",
    "MeasurementIncompleteError",
    "answerable",
    "called_for",
    "item_label",
    "items_for",
    "kv_measurement_create",
    "measurement_reopen",
    "measurement_save",
    "schedule_sync_for_stay",
    "schedules_sync_due",
]

"""The Bijlage 4 indicator catalogues and the measurements taken with them.

A catalogue is versioned per site: an answer points at the item row of the
version it was given under, so loading a changed catalogue file never alters
what was answered before (see ``evaluation.catalogue``).

One module per concept: ``catalogue`` (versions, topics, items and their
choices), ``measurements`` (a stay's measurements and answers), ``kv``
(KV-level measurements and answers), ``summaries`` (answer counts and
factor scores). The modules are imported in the order the models were
defined: the registration order sets the order of the data-subject access
document and of backups. This ``__init__`` re-exports every public name.
"""

# ruff: noqa: I001
# The import order is the model registration order; keep it.
from evaluation.models.catalogue import (
    AnswerType,
    CATEGORY_DEFAULT_MOMENTS,
    CatalogueVersion,
    Category,
    EVALUATIONS,
    Item,
    LEVELS,
    METHODS,
    MOMENT_ORDER,
    MissingReason,
    Moment,
    RecordedAt,
    Route,
    SCALE5_CHOICES,
    Topic,
)
from evaluation.models.measurements import (
    Answer,
    AnswerRecord,
    Measurement,
    MeasurementRecord,
    MeasurementStatus,
    TAKEN,
    TIMING_HELP,
    Timing,
    WITHOUT_DATA,
    answer_repr,
)
from evaluation.models.kv import (
    KvAnswer,
    KvMeasurement,
)
from evaluation.models.summaries import (
    MeasurementAnswerCount,
    MeasurementFactorScore,
)

__all__ = [
    "CATEGORY_DEFAULT_MOMENTS",
    "EVALUATIONS",
    "LEVELS",
    "METHODS",
    "MOMENT_ORDER",
    "SCALE5_CHOICES",
    "TAKEN",
    "TIMING_HELP",
    "WITHOUT_DATA",
    "Answer",
    "AnswerRecord",
    "AnswerType",
    "CatalogueVersion",
    "Category",
    "Item",
    "KvAnswer",
    "KvMeasurement",
    "Measurement",
    "MeasurementAnswerCount",
    "MeasurementFactorScore",
    "MeasurementRecord",
    "MeasurementStatus",
    "MissingReason",
    "Moment",
    "RecordedAt",
    "Route",
    "Timing",
    "Topic",
    "answer_repr",
]

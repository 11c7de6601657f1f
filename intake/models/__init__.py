"""Intake: one case per candidate per site, from entry to a coded end.

The pipeline of each site is reference data (``IntakeProcessVersion`` with
its ``IntakeStageDefinition`` rows, loaded from
``fixtures/reference/intake_stages.yaml``). A case keeps the process version it
started under, so a later change of process never rewrites old cases.

One module per concept: ``choices`` (outcomes, stage kinds, partners, end
reasons), ``processes`` (process versions, entry routes, stage definitions,
due dates), ``cases``, ``events`` (stage events and the stage-reach summary),
``prescan``, ``documents``, ``criteria`` (the checklist), ``endings`` (end
reasons) and ``imports`` (list import batches). The modules are imported in
the order their models were defined: the registration order sets the order
of the data-subject access document and of backups, so the import order
below is kept as it is (not sorted).
"""

# ruff: noqa: I001
from intake.models.choices import (
    IntakeOutcome,
    StageKind,
    StageOutcome,
    PASSED_OUTCOMES,
    PASSED_KIND_BITS,
    DueAnchor,
    PrescanPartner,
    AwarenessChannel,
    EndReasonCode,
)
from intake.models.processes import (
    IntakeProcessVersion,
    EntryRoute,
    STAGE_OUTCOMES_INVALID,
    PRESCAN_PARTNERS_INVALID,
    PRESCAN_PARTNERS_MISSING,
    DOCUMENT_CONSENTS_INVALID,
    REACH_STAGE_FIELDS,
    StageDefinitionQuerySet,
    IntakeStageDefinition,
    due_date_for,
    stage_due_on,
)
from intake.models.cases import (
    BEFORE_CASE_OPENED,
    check_not_before_case,
    PAST_EVERY_STAGE,
    IntakeCaseQuerySet,
    IntakeCase,
)
from intake.models.events import (
    REACH_EVENT_FIELDS,
    StageEventQuerySet,
    StageEvent,
    CaseStageReach,
    REFRESH_BATCH,
    refresh_stage_reach,
)
from intake.models.prescan import (
    PrescanAnswer,
)
from intake.models.documents import (
    CaseDocument,
)
from intake.models.criteria import (
    CheckResult,
    CriterionCheck,
)
from intake.models.endings import (
    CaseEndReason,
)
from intake.models.imports import (
    ImportKind,
    ImportStatus,
    import_upload_to,
    ImportBatch,
)

__all__ = [
    "BEFORE_CASE_OPENED",
    "DOCUMENT_CONSENTS_INVALID",
    "PASSED_KIND_BITS",
    "PASSED_OUTCOMES",
    "PAST_EVERY_STAGE",
    "PRESCAN_PARTNERS_INVALID",
    "PRESCAN_PARTNERS_MISSING",
    "REACH_EVENT_FIELDS",
    "REACH_STAGE_FIELDS",
    "REFRESH_BATCH",
    "STAGE_OUTCOMES_INVALID",
    "AwarenessChannel",
    "CaseDocument",
    "CaseEndReason",
    "CaseStageReach",
    "CheckResult",
    "CriterionCheck",
    "DueAnchor",
    "EndReasonCode",
    "EntryRoute",
    "ImportBatch",
    "ImportKind",
    "ImportStatus",
    "IntakeCase",
    "IntakeCaseQuerySet",
    "IntakeOutcome",
    "IntakeProcessVersion",
    "IntakeStageDefinition",
    "PrescanAnswer",
    "PrescanPartner",
    "StageDefinitionQuerySet",
    "StageEvent",
    "StageEventQuerySet",
    "StageKind",
    "StageOutcome",
    "check_not_before_case",
    "due_date_for",
    "import_upload_to",
    "refresh_stage_reach",
    "stage_due_on",
]

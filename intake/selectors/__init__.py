"""Reads for intake. One module per concept: ``cases`` (the case list, a
case's stages and next steps, a person's cases, process versions, person
statuses, the case search), ``changes`` (what changed on a case since a
user's page showed it), ``imports`` (sites without a list, the cases an
import opened), ``worklist`` (the stages to do, due dates, overdue count),
``reach`` (stage reach and its drift check) and ``funnel`` (a site's intake
funnel). The ``__init__`` re-exports the public names, so
``from intake.selectors import worklist_page`` keeps working.
"""

from intake.selectors.cases import (
    StageStatus,
    case_list,
    case_next_steps,
    case_search,
    case_stage_statuses,
    current_entry_routes,
    person_cases,
    person_statuses,
    process_versions_for_site,
)
from intake.selectors.changes import (
    CASE_CONFLICT_FIELDS,
    RECORDED_ON_CASE,
    case_changes_since,
)
from intake.selectors.funnel import (
    Funnel,
    FunnelCount,
    FunnelStage,
    funnel_for_site,
)
from intake.selectors.imports import (
    ListlessSite,
    import_opened_cases,
    sites_without_lists,
)
from intake.selectors.reach import (
    StageReach,
    stage_reach,
    stage_reach_by,
    stage_reach_drift,
)
from intake.selectors.worklist import (
    WORKLIST_PAGE_SIZE,
    WorkItem,
    Worklist,
    overdue_count,
    worklist,
    worklist_page,
)

__all__ = [
    "CASE_CONFLICT_FIELDS",
    "RECORDED_ON_CASE",
    "WORKLIST_PAGE_SIZE",
    "Funnel",
    "FunnelCount",
    "FunnelStage",
    "ListlessSite",
    "StageReach",
    "StageStatus",
    "WorkItem",
    "Worklist",
    "case_changes_since",
    "case_list",
    "case_next_steps",
    "case_search",
    "case_stage_statuses",
    "current_entry_routes",
    "funnel_for_site",
    "import_opened_cases",
    "overdue_count",
    "person_cases",
    "person_statuses",
    "process_versions_for_site",
    "sites_without_lists",
    "stage_reach",
    "stage_reach_by",
    "stage_reach_drift",
    "worklist",
    "worklist_page",
]

"""Stays in a KV, the individual plan and work during the stay."""

# ruff: noqa: I001
# The import order is the model registration order (the order the models
# were defined in): it sets the order of the data-subject access document
# and of backups; keep it.
from trajectories.models.stays import (
    LegalTitle,
    OutflowType,
    Regime,
    Stay,
)
from trajectories.models.phases import (
    ProgrammePhase,
    StayPhase,
)
from trajectories.models.steps import (
    StayStep,
    StayStepDefinition,
)
from trajectories.models.locations import (
    LocationPeriod,
    LocationStatus,
)
from trajectories.models.incidents import (
    Consequence,
    Detection,
    Incident,
    IncidentKind,
)
from trajectories.models.plans import (
    ACTIVITY_REASON_REQUIRED,
    CONFIGURABLE_PLAN_FIELDS,
    Activity,
    ActivityStatus,
    Goal,
    GoalDomain,
    GoalFramework,
    GoalStatus,
    IndividualPlan,
    PlanFormDefinition,
    Review,
    ReviewKind,
    RiskLevel,
)
from trajectories.models.work import (
    EmployerCheck,
    EmployerCheckMethod,
    Employment,
    JobOrigin,
    JobSearchActivity,
    JobSearchKind,
    PayKind,
    WorkRule,
    WorkRuleKind,
    rule_check,
)

__all__ = [
    "ACTIVITY_REASON_REQUIRED",
    "CONFIGURABLE_PLAN_FIELDS",
    "Activity",
    "ActivityStatus",
    "Consequence",
    "Detection",
    "EmployerCheck",
    "EmployerCheckMethod",
    "Employment",
    "Goal",
    "GoalDomain",
    "GoalFramework",
    "GoalStatus",
    "Incident",
    "IncidentKind",
    "IndividualPlan",
    "JobOrigin",
    "JobSearchActivity",
    "JobSearchKind",
    "LegalTitle",
    "LocationPeriod",
    "LocationStatus",
    "OutflowType",
    "PayKind",
    "PlanFormDefinition",
    "ProgrammePhase",
    "Regime",
    "Review",
    "ReviewKind",
    "RiskLevel",
    "Stay",
    "StayPhase",
    "StayStep",
    "StayStepDefinition",
    "WorkRule",
    "WorkRuleKind",
    "rule_check",
]

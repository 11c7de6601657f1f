"""Writes for stays, plans and work: typed, keyword-only, atomic. One
module per concept: ``stays`` (placement, changes, outflow), ``capacity``
(the capacity check), ``phases`` (phase changes, steps, location periods),
``incidents``, ``plans`` and ``work``; the public names are re-exported
here.
"""

from trajectories.services.capacity import (
    CAPACITY_FULL,
    NO_CAPACITY,
    capacity_on,
    occupied_on,
)
from trajectories.services.incidents import incident_record
from trajectories.services.phases import (
    PHASE_UNCHANGED,
    location_period_record,
    stay_phase_change,
    stay_step_record,
)
from trajectories.services.plans import (
    ACTIVITY_REASON_REQUIRED,
    DOMAIN_NOT_FOR_SITE,
    PLAN_EXISTS,
    PLAN_FIELD_REQUIRED,
    activity_create,
    activity_update,
    goal_create,
    goal_update,
    plan_create,
    plan_form_for,
    plan_update,
    review_record,
)
from trajectories.services.stays import (
    STAY_ENDED,
    stay_create,
    stay_end,
    stay_update,
)
from trajectories.services.work import (
    JOB_SEARCH_REASON_REQUIRED,
    employer_check_record,
    employer_for,
    employment_record,
    employment_update,
    job_search_record,
)

__all__ = [
    "ACTIVITY_REASON_REQUIRED",
    "CAPACITY_FULL",
    "DOMAIN_NOT_FOR_SITE",
    "JOB_SEARCH_REASON_REQUIRED",
    "NO_CAPACITY",
    "PHASE_UNCHANGED",
    "PLAN_EXISTS",
    "PLAN_FIELD_REQUIRED",
    "STAY_ENDED",
    "activity_create",
    "activity_update",
    "capacity_on",
    "employer_check_record",
    "employer_for",
    "employment_record",
    "employment_update",
    "goal_create",
    "goal_update",
    "incident_record",
    "job_search_record",
    "location_period_record",
    "occupied_on",
    "plan_create",
    "plan_form_for",
    "plan_update",
    "review_record",
    "stay_create",
    "stay_end",
    "stay_phase_change",
    "stay_step_record",
    "stay_update",
]

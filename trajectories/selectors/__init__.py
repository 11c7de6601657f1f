"""Reads for stays, plans and work, one module per concept: ``occupancy``
(occupancy and length of stay, derived, never stored), ``stays`` (a stay's
page, steps to do, person statuses), ``plans`` (the "Plans to do" lists and
a plan's page and print), ``work`` (current jobs, work-rule breaches) and
``timeline`` (a person's timeline). The public names are re-exported here,
so ``from trajectories.selectors import occupancy_by_day`` keeps working.
"""

from trajectories.selectors.occupancy import (
    Segment,
    length_of_stay_by_phase,
    occupancy_by_day,
)
from trajectories.selectors.plans import (
    MissingConsent,
    OverdueReview,
    activities_past_due,
    consents_missing,
    plan_detail_data,
    plan_document,
    plan_shown_fields,
    plan_work_counts,
    plans_without_goals,
    reviews_overdue,
)
from trajectories.selectors.stays import (
    StepToDo,
    person_statuses,
    stay_detail_data,
    stay_steps_to_do,
)
from trajectories.selectors.timeline import (
    TIMELINE_KINDS,
    TimelineEntry,
    person_timeline,
)
from trajectories.selectors.work import (
    WorkRuleBreach,
    current_jobs,
    jobs_during,
    work_rule_breaches,
)

__all__ = [
    "TIMELINE_KINDS",
    "MissingConsent",
    "OverdueReview",
    "Segment",
    "StepToDo",
    "TimelineEntry",
    "WorkRuleBreach",
    "activities_past_due",
    "consents_missing",
    "current_jobs",
    "jobs_during",
    "length_of_stay_by_phase",
    "occupancy_by_day",
    "person_statuses",
    "person_timeline",
    "plan_detail_data",
    "plan_document",
    "plan_shown_fields",
    "plan_work_counts",
    "plans_without_goals",
    "reviews_overdue",
    "stay_detail_data",
    "stay_steps_to_do",
    "work_rule_breaches",
]

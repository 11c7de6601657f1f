"""Incidents and their consequences: a temporary return to the PI adds a
location period, a definitive return ends the stay.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from core.dates import add_days, day_text
from trajectories.models import Consequence, Incident, LocationStatus, OutflowType, Stay
from trajectories.models.stays import RETURN_DAYS_REQUIRED
from trajectories.services.phases import location_period_record
from trajectories.services.stays import OUTSIDE_STAY, _ensure_open, stay_end


@transaction.atomic
def incident_record(
    *,
    stay: Stay,
    occurred_on: datetime.date,
    kind: str,
    detection: str,
    consequence: str,
    recorded_by: AbstractBaseUser | None,
    return_days: int | None = None,
    decided_on: datetime.date | None = None,
    decided_by: str = "",
    description: str = "",
) -> Incident:
    """Record an incident and carry out its consequence.

    A temporary return adds a location period 'temporarily returned to the
    PI' for ``return_days``; a definitive return ends the stay with outflow
    type 'definitive return to the PI' on the decision date.
    """
    _ensure_open(stay)
    if occurred_on < stay.placed_on:
        raise ValidationError(
            {
                "occurred_on": ValidationError(
                    OUTSIDE_STAY, params={"day": day_text(stay.placed_on)}
                )
            }
        )
    if consequence == Consequence.TEMPORARY_RETURN and not return_days:
        raise ValidationError({"return_days": RETURN_DAYS_REQUIRED})
    incident = Incident(
        stay=stay,
        occurred_on=occurred_on,
        kind=kind,
        detection=detection,
        consequence=consequence,
        return_days=return_days
        if consequence == Consequence.TEMPORARY_RETURN
        else None,
        decided_on=decided_on,
        decided_by=decided_by.strip(),
        description=description.strip(),
    )
    incident.full_clean()
    incident.save()
    day = decided_on or occurred_on
    if consequence == Consequence.TEMPORARY_RETURN:
        location_period_record(
            stay=stay,
            status=LocationStatus.RETURNED_PI,
            started_on=day,
            ended_on=add_days(day, return_days or 0),
            reason=str(incident),
        )
    elif consequence == Consequence.DEFINITIVE_RETURN:
        stay_end(
            stay=stay,
            ended_on=day,
            outflow_type=OutflowType.RETURN_TO_PI,
            note=decided_by.strip(),
        )
    return incident

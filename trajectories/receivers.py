"""Trajectories' reactions to what the apps below it announce (their
signals are their API); connected in ``TrajectoriesConfig.ready``."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from core.models import PlaceType
from trajectories.models import Stay
from trajectories.services import stay_create


def stay_for_placement(
    sender: Any,
    *,
    case: Any,
    place_type: PlaceType,
    placed_on: datetime.date,
    actor: AbstractBaseUser | None,
    capacity_override_reason: str = "",
    **kwargs: Any,
) -> Stay:
    """A placement decided in intake starts the person's stay (same
    transaction: a refused stay refuses the placement)."""
    return stay_create(
        person=case.person,
        place_type=place_type,
        placed_on=placed_on,
        created_by=actor,
        intake_case=case,
        capacity_override_reason=capacity_override_reason,
    )

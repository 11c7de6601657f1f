"""The capacity check of placements and phase changes: realised places
against the stays that occupy them, day by day.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.dates import day_text
from core.models import AuditKind, CapacityPeriod, PlaceType
from core.services import audit_event_record
from trajectories.models import Stay, StayPhase

CAPACITY_FULL = _(
    "All %(places)s places of type %(place_type)s are taken on %(day)s. "
    "Give a reason to place above capacity."
)
NO_CAPACITY = _("No realised capacity is registered for %(place_type)s on %(day)s.")


def capacity_on(*, place_type: PlaceType, day: datetime.date) -> int | None:
    """Realised places of ``place_type`` on ``day``; None when none is registered."""
    period = (
        CapacityPeriod.objects.filter(
            place_type=place_type, planned=False, valid_from__lte=day
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("-valid_from")
        .first()
    )
    return period.places if period else None


def occupied_on(
    *, place_type: PlaceType, day: datetime.date, exclude_stay: Stay | None = None
) -> int:
    """Stays holding a place of ``place_type`` on ``day``.

    A stay holds the place type of its phase period covering ``day``; a stay
    without phase periods (created outside ``stay_create``) holds its own.
    The outflow day and the last day of a phase period are not counted.
    """
    by_phase = StayPhase.objects.filter(
        stay__in=Stay.objects.present_on(day),
        place_type=place_type,
        started_on__lte=day,
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
    without_phases = Stay.objects.filter(place_type=place_type, phases=None).present_on(
        day
    )
    if exclude_stay is not None:
        by_phase = by_phase.exclude(stay=exclude_stay)
        without_phases = without_phases.exclude(pk=exclude_stay.pk)
    return by_phase.values("stay").distinct().count() + without_phases.count()


def _days_to_check(place_type: PlaceType, day: datetime.date) -> list[datetime.date]:
    """``day`` and every later day on which occupancy or capacity of
    ``place_type`` changes upwards or downwards: later placements and phase
    starts, and later capacity periods (e.g. Almelo's cut from 29 to 20)."""
    later = set(
        StayPhase.objects.filter(place_type=place_type, started_on__gt=day).values_list(
            "started_on", flat=True
        )
    )
    later |= set(
        Stay.objects.filter(
            place_type=place_type, placed_on__gt=day, phases=None
        ).values_list("placed_on", flat=True)
    )
    later |= set(
        CapacityPeriod.objects.filter(
            place_type=place_type, planned=False, valid_from__gt=day
        ).values_list("valid_from", flat=True)
    )
    return [day, *sorted(later)]


def _check_capacity(
    *,
    place_type: PlaceType,
    day: datetime.date,
    override_reason: str,
    exclude_stay: Stay | None = None,
) -> None:
    """Refuse when ``place_type`` has no realised capacity on ``day`` (the
    place type did not exist then: no reason overrides that), or when taking
    a place would exceed its capacity on that day or on any later day where
    the occupancy or the capacity changes. A reason overrides a full one."""
    if capacity_on(place_type=place_type, day=day) is None:
        raise ValidationError(
            NO_CAPACITY,
            code="no_capacity",
            params={"place_type": place_type.name, "day": day},
        )
    if override_reason.strip():
        return
    for index, check_day in enumerate(_days_to_check(place_type, day)):
        places = capacity_on(place_type=place_type, day=check_day)
        params = {"place_type": place_type.name, "day": day_text(check_day)}
        if places is None:
            if index == 0:
                raise ValidationError(NO_CAPACITY, code="no_capacity", params=params)
            continue
        taken = occupied_on(
            place_type=place_type, day=check_day, exclude_stay=exclude_stay
        )
        if taken >= places:
            raise ValidationError(
                CAPACITY_FULL,
                code="capacity_full",
                params={**params, "places": places},
            )


def _record_override(
    *,
    actor: AbstractBaseUser | None,
    stay: Stay,
    summary: str,
    params: dict[str, str],
    reason: str,
) -> None:
    audit_event_record(
        actor=actor,
        kind=AuditKind.OVERRIDE,
        site=stay.site,
        summary=summary,
        params=params,
        details={"stay": stay.pk, "reason": reason.strip()},
    )

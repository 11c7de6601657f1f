"""Writes for stays: placement with the capacity check."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import AuditKind, CapacityPeriod, Person, PlaceType
from core.services import audit_event_record
from trajectories.models import Stay

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


def occupied_on(*, place_type: PlaceType, day: datetime.date) -> int:
    return (
        Stay.objects.filter(place_type=place_type, placed_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
        .count()
    )


@transaction.atomic
def stay_create(
    *,
    person: Person,
    place_type: PlaceType,
    placed_on: datetime.date,
    created_by: AbstractBaseUser | None,
    intake_case: object | None = None,
    participant: bool = True,
    expected_end: datetime.date | None = None,
    capacity_override_reason: str = "",
) -> Stay:
    """Place a person; refused when the place type is full unless overridden.

    The place type row is locked so two placements cannot both take the last
    place.
    """
    place_type = PlaceType.objects.select_for_update().get(pk=place_type.pk)
    places = capacity_on(place_type=place_type, day=placed_on)
    params = {"place_type": place_type.name, "day": placed_on}
    if places is None and not capacity_override_reason.strip():
        raise ValidationError(NO_CAPACITY, code="no_capacity", params=params)
    if (
        places is not None
        and occupied_on(place_type=place_type, day=placed_on) >= places
        and not capacity_override_reason.strip()
    ):
        raise ValidationError(
            CAPACITY_FULL, code="capacity_full", params={**params, "places": places}
        )
    stay = Stay(
        site=place_type.site,
        person=person,
        place_type=place_type,
        placed_on=placed_on,
        expected_end=expected_end,
        participant=participant,
        intake_case=intake_case,
    )
    stay.full_clean()
    stay.save()
    if capacity_override_reason.strip():
        audit_event_record(
            actor=created_by,
            kind=AuditKind.OVERRIDE,
            site=place_type.site,
            summary=f"placement above capacity of {place_type.code} on {placed_on}",
            details={"stay": stay.pk, "reason": capacity_override_reason.strip()},
        )
    return stay

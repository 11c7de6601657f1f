"""Writes for the course of a stay: phase and place-type changes (with
the capacity check), the site's steps after placement, and where the
person is when not in the KV (location periods).
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from core.dates import day_text
from core.models import PlaceType
from trajectories.models import (
    LocationPeriod,
    ProgrammePhase,
    Stay,
    StayPhase,
    StayStep,
    StayStepDefinition,
)
from trajectories.services.capacity import _check_capacity, _record_override
from trajectories.services.stays import (
    OUTSIDE_STAY,
    WRONG_SITE,
    _default_phase,
    _ensure_open,
)

PHASE_BEFORE_CURRENT = _("The new phase cannot start before the current one (%(day)s).")
PHASE_UNCHANGED = _("Choose another phase or place type than the current one.")
PHASE_NOT_RUNNING = _(
    "%(phase)s did not run on %(day)s (it runs from %(start)s until %(end)s)."
)
STEP_ALREADY_RECORDED = _("%(step)s has already been recorded for this stay.")
STEP_BEFORE_PLACEMENT = _(
    "%(step)s follows the placement: the date cannot be before %(day)s."
)
STEP_AFTER_OUTFLOW = _("The date lies after the outflow (%(day)s).")


def _current_phase(stay: Stay) -> StayPhase:
    current = stay.phases.filter(ended_on__isnull=True).order_by("-started_on").first()
    if current is None:
        # A stay made outside stay_create gets its first period here.
        current = StayPhase.objects.create(
            stay=stay,
            phase=_default_phase(stay.place_type, stay.placed_on),
            place_type=stay.place_type,
            started_on=stay.placed_on,
        )
    return current


@transaction.atomic
def stay_phase_change(
    *,
    stay: Stay,
    phase: ProgrammePhase | None,
    place_type: PlaceType,
    started_on: datetime.date,
    changed_by: AbstractBaseUser | None,
    capacity_override_reason: str = "",
) -> StayPhase:
    """Move a stay to another programme phase and/or place type from a date.

    Refused for a phase that did not run on that date. The new place type's
    capacity is checked on that date (this stay not counted); an override
    needs a reason and is audited. A phase with its own legal title gives
    the stay that title.
    """
    stay = Stay.objects.select_for_update().get(pk=stay.pk)
    _ensure_open(stay)
    if place_type.site_id != stay.site_id or (
        phase is not None and phase.site_id != stay.site_id
    ):
        raise ValidationError(WRONG_SITE, code="wrong_site")
    current = _current_phase(stay)
    if started_on < current.started_on:
        raise ValidationError(
            {
                "started_on": ValidationError(
                    PHASE_BEFORE_CURRENT, params={"day": day_text(current.started_on)}
                )
            }
        )
    if current.phase_id == (phase.pk if phase else None) and (
        current.place_type_id == place_type.pk
    ):
        raise ValidationError(PHASE_UNCHANGED, code="phase_unchanged")
    if phase is not None and not phase.runs_on(started_on):
        raise ValidationError(
            {
                "phase": ValidationError(
                    PHASE_NOT_RUNNING,
                    code="phase_not_running",
                    params={
                        "phase": phase.name,
                        "day": started_on,
                        "start": phase.valid_from or "-",
                        "end": phase.valid_to or "-",
                    },
                )
            }
        )
    PlaceType.objects.select_for_update().get(pk=place_type.pk)
    if place_type.pk != current.place_type_id:
        _check_capacity(
            place_type=place_type,
            day=started_on,
            override_reason=capacity_override_reason,
            exclude_stay=stay,
        )
    current.ended_on = started_on
    current.full_clean()
    current.save(update_fields=["ended_on"])
    new = StayPhase(
        stay=stay, phase=phase, place_type=place_type, started_on=started_on
    )
    new.full_clean()
    new.save()
    # A phase with its own legal title (Krimpen DC IIa: closed regime) changes
    # the stay's title from that day; the stay's history keeps the old one.
    new_title = phase.legal_title if phase is not None else ""
    if stay.place_type_id != place_type.pk or (
        new_title and new_title != stay.legal_title
    ):
        stay.place_type = place_type
        stay.legal_title = new_title or stay.legal_title
        stay.version += 1
        stay.save(update_fields=["place_type", "legal_title", "version"])
    if capacity_override_reason.strip():
        _record_override(
            actor=changed_by,
            stay=stay,
            summary=gettext_noop(
                "Phase change above the capacity of %(place_type)s on %(day)s"
            ),
            params={"place_type": place_type.name, "day": day_text(started_on)},
            reason=capacity_override_reason,
        )
    return new


@transaction.atomic
def stay_step_record(
    *,
    stay: Stay,
    definition: StayStepDefinition,
    occurred_on: datetime.date,
    actor: AbstractBaseUser | None,
) -> StayStep:
    """Record a step of the site's process that follows the placement
    (Amsterdam's start meeting in the PI-BW)."""
    stay = Stay.objects.select_for_update().get(pk=stay.pk)
    if definition.site_id != stay.site_id:
        raise ValidationError(WRONG_SITE, code="wrong_site")
    params = {"step": definition.name}
    if stay.steps.filter(definition=definition).exists():
        raise ValidationError(
            STEP_ALREADY_RECORDED, code="step_recorded", params=params
        )
    if occurred_on < stay.placed_on:
        raise ValidationError(
            {
                "occurred_on": ValidationError(
                    STEP_BEFORE_PLACEMENT,
                    code="step_before_placement",
                    params={**params, "day": stay.placed_on},
                )
            }
        )
    if stay.ended_on is not None and occurred_on > stay.ended_on:
        raise ValidationError(
            {
                "occurred_on": ValidationError(
                    STEP_AFTER_OUTFLOW,
                    code="step_after_outflow",
                    params={"day": stay.ended_on},
                )
            }
        )
    step = StayStep(
        stay=stay,
        definition=definition,
        occurred_on=occurred_on,
        actor=actor if actor is not None and actor.pk else None,
    )
    step.full_clean()
    step.save()
    return step


@transaction.atomic
def location_period_record(
    *,
    stay: Stay,
    status: str,
    started_on: datetime.date,
    ended_on: datetime.date | None = None,
    reason: str = "",
) -> LocationPeriod:
    """Record where the person is when not in the KV (home with an ankle
    monitor, temporarily back in the PI)."""
    _ensure_open(stay)
    if started_on < stay.placed_on:
        raise ValidationError(
            {
                "started_on": ValidationError(
                    OUTSIDE_STAY, params={"day": day_text(stay.placed_on)}
                )
            }
        )
    period = LocationPeriod(
        stay=stay,
        status=status,
        started_on=started_on,
        ended_on=ended_on,
        reason=reason,
    )
    period.full_clean()
    period.save()
    return period

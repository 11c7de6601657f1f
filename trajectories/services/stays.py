"""Writes for a stay itself: placement (with the capacity check), its
legal title, expected end and participant flag, and the outflow.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from core.concurrency import versioned_save
from core.dates import day_text
from core.models import Person, PlaceType
from trajectories.models import ProgrammePhase, Stay, StayPhase
from trajectories.models.stays import (
    RETURN_DAYS_REQUIRED,
    STAY_OVERLAPS,
    STAY_OVERLAPS_OPEN,
)
from trajectories.services.capacity import _check_capacity, _record_override
from trajectories.signals import stay_changed

if TYPE_CHECKING:
    from intake.models import IntakeCase


STAY_ENDED = _("This stay has ended on %(day)s; it cannot be changed any more.")
WRONG_SITE = _("This belongs to another site.")
OUTSIDE_STAY = _("The date must fall within the stay (from %(day)s).")
PARTICIPANT_NEEDS_INTAKE = _(
    "Only someone who passed the KV intake is a participant: place a "
    "participant from the intake case. Without an intake case the person "
    "fills a KV place as a non-participant."
)

INTAKE_CASE_OTHER_PERSON = _("This intake case belongs to someone else.")

__all__ = ["RETURN_DAYS_REQUIRED", "STAY_OVERLAPS", "STAY_OVERLAPS_OPEN"]


def _default_phase(
    place_type: PlaceType, day: datetime.date | None = None
) -> ProgrammePhase | None:
    """The site's phase for ``place_type`` that ran on ``day`` (Krimpen: a
    closed place from May 2020 is DC IIa), else any phase of that place
    type, else the phase running on ``day``, else the first."""
    phases = list(ProgrammePhase.objects.filter(site_id=place_type.site_id))
    running = [p for p in phases if day is None or p.runs_on(day)]
    for candidates in (running, phases):
        for phase in candidates:
            if phase.place_type_id == place_type.pk:
                return phase
    if running:
        return running[0]
    return phases[0] if phases else None


def _legal_title_for(phase: ProgrammePhase | None, place_type: PlaceType) -> str:
    """The legal title of a placement in ``phase``: the phase's own (Krimpen
    DC II: ZBBI, DC IIa: closed regime), else the site's usual one."""
    if phase is not None and phase.legal_title:
        return phase.legal_title
    definition = getattr(place_type.site, "plan_form", None)
    return definition.default_legal_title if definition else ""


@transaction.atomic
def stay_create(
    *,
    person: Person,
    place_type: PlaceType,
    placed_on: datetime.date,
    created_by: AbstractBaseUser | None,
    intake_case: IntakeCase | None = None,
    participant: bool | None = None,
    expected_end: datetime.date | None = None,
    capacity_override_reason: str = "",
    legal_title: str | None = None,
    phase: ProgrammePhase | None = None,
) -> Stay:
    """Place a person; refused when the place type is full unless overridden,
    when the person has another stay on one of these days, or when the
    expected end lies before the placement.

    A participant passed the KV intake: ``participant`` defaults to whether
    an intake case is given, and is refused without one. The person and
    place type rows are locked so two placements cannot both take the last
    place or place the same person twice. The stay starts in ``phase``
    (default: the site's phase for this place type on the placement day) and
    gets that phase's legal title, else the site's usual one, unless
    ``legal_title`` is given.
    """
    Person.objects.select_for_update().filter(pk=person.pk).first()
    place_type = PlaceType.objects.select_for_update().get(pk=place_type.pk)
    if person.site_id != place_type.site_id:
        raise ValidationError(WRONG_SITE, code="wrong_site")
    if intake_case is not None and intake_case.person_id != person.pk:
        raise ValidationError(INTAKE_CASE_OTHER_PERSON, code="intake_other_person")
    if participant is None:
        participant = intake_case is not None
    if participant and intake_case is None:
        raise ValidationError(
            {"participant": ValidationError(PARTICIPANT_NEEDS_INTAKE, code="no_intake")}
        )
    if phase is None:
        phase = _default_phase(place_type, placed_on)
    if legal_title is None:
        legal_title = _legal_title_for(phase, place_type)
    stay = Stay(
        site=place_type.site,
        person=person,
        place_type=place_type,
        placed_on=placed_on,
        expected_end=expected_end,
        participant=participant,
        intake_case=intake_case,
        legal_title=legal_title,
    )
    stay.full_clean()
    _check_capacity(
        place_type=place_type, day=placed_on, override_reason=capacity_override_reason
    )
    stay.save()
    StayPhase.objects.create(
        stay=stay, phase=phase, place_type=place_type, started_on=placed_on
    )
    if capacity_override_reason.strip():
        _record_override(
            actor=created_by,
            stay=stay,
            summary=gettext_noop(
                "Placed above the capacity of %(place_type)s on %(day)s"
            ),
            params={"place_type": place_type.name, "day": day_text(placed_on)},
            reason=capacity_override_reason,
        )
    _sync_measurement_schedule(stay)
    return stay


def _sync_measurement_schedule(stay: Stay) -> None:
    """Tell the apps above (evaluation's measurement schedule) that the stay's
    dates changed; their receivers run in this transaction."""
    stay_changed.send(sender=Stay, stay=stay)


STAY_EDITABLE_FIELDS = ("legal_title", "expected_end", "participant")


@transaction.atomic
def stay_update(
    *, stay: Stay, data: dict[str, Any], expected_version: int | None = None
) -> Stay:
    """Change the legal title, expected end or participant flag of a stay.

    Turning a stay into a participant's needs the intake case the person
    passed; stays marked participant before this rule keep their flag.
    """
    if data.get("participant") and not stay.participant and not stay.intake_case_id:
        raise ValidationError(
            {"participant": ValidationError(PARTICIPANT_NEEDS_INTAKE, code="no_intake")}
        )
    for name in STAY_EDITABLE_FIELDS:
        if name in data:
            setattr(stay, name, data[name])
    stay.full_clean()
    return versioned_save(
        instance=stay, fields=STAY_EDITABLE_FIELDS, expected_version=expected_version
    )


def _ensure_open(stay: Stay) -> None:
    if stay.ended_on is not None:
        raise ValidationError(
            STAY_ENDED, code="stay_ended", params={"day": day_text(stay.ended_on)}
        )


@transaction.atomic
def stay_end(
    *,
    stay: Stay,
    ended_on: datetime.date,
    outflow_type: str,
    aftercare_municipality: str = "",
    note: str = "",
) -> Stay:
    """Record the outflow; open phase and location periods end with it.

    The outflow date lies between the placement date and today.
    """
    stay = Stay.objects.select_for_update().get(pk=stay.pk)
    _ensure_open(stay)
    stay.ended_on = ended_on
    stay.outflow_type = outflow_type
    stay.aftercare_municipality = (
        aftercare_municipality.strip() or stay.person.aftercare_municipality
    )
    stay.outflow_note = note.strip()
    stay.full_clean()
    stay.version += 1
    stay.save()
    # Saved one by one (not ``update()``) so the history keeps each change.
    still_open = Q(ended_on__isnull=True) | Q(ended_on__gt=ended_on)
    for period in [*stay.phases.filter(still_open), *stay.locations.filter(still_open)]:
        period.ended_on = max(ended_on, period.started_on)
        period.save(update_fields=["ended_on"])
    _sync_measurement_schedule(stay)
    return stay

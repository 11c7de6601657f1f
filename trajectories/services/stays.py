"""Writes for stays: placement and phase changes with the capacity check,
location, incidents and outflow."""

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
from core.dates import add_days, day_text
from core.models import AuditKind, CapacityPeriod, Person, PlaceType
from core.services import audit_event_record
from trajectories.models import (
    Consequence,
    Incident,
    LocationPeriod,
    LocationStatus,
    OutflowType,
    ProgrammePhase,
    Stay,
    StayPhase,
    StayStep,
    StayStepDefinition,
)
from trajectories.models.stays import (
    RETURN_DAYS_REQUIRED,
    STAY_OVERLAPS,
    STAY_OVERLAPS_OPEN,
)
from trajectories.signals import stay_changed

if TYPE_CHECKING:
    from intake.models import IntakeCase

CAPACITY_FULL = _(
    "All %(places)s places of type %(place_type)s are taken on %(day)s. "
    "Give a reason to place above capacity."
)
NO_CAPACITY = _("No realised capacity is registered for %(place_type)s on %(day)s.")
STAY_ENDED = _("This stay has ended on %(day)s; it cannot be changed any more.")
PHASE_BEFORE_CURRENT = _("The new phase cannot start before the current one (%(day)s).")
PHASE_UNCHANGED = _("Choose another phase or place type than the current one.")
WRONG_SITE = _("This belongs to another site.")
OUTSIDE_STAY = _("The date must fall within the stay (from %(day)s).")
PARTICIPANT_NEEDS_INTAKE = _(
    "Only someone who passed the KV intake is a participant: place a "
    "participant from the intake case. Without an intake case the person "
    "fills a KV place as a non-participant."
)

INTAKE_CASE_OTHER_PERSON = _("This intake case belongs to someone else.")
PHASE_NOT_RUNNING = _(
    "%(phase)s did not run on %(day)s (it runs from %(start)s until %(end)s)."
)
STEP_ALREADY_RECORDED = _("%(step)s has already been recorded for this stay.")
STEP_BEFORE_PLACEMENT = _(
    "%(step)s follows the placement: the date cannot be before %(day)s."
)
STEP_AFTER_OUTFLOW = _("The date lies after the outflow (%(day)s).")

__all__ = ["RETURN_DAYS_REQUIRED", "STAY_OVERLAPS", "STAY_OVERLAPS_OPEN"]


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

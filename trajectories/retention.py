"""What trajectories tell ``core.retention``: which people their stays keep
identifiable and which free text names people."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q

from core.registry import RetentionRecords
from trajectories.models import (
    Activity,
    EmployerCheck,
    Employment,
    Incident,
    IndividualPlan,
    JobSearchActivity,
    LocationPeriod,
    Review,
    Stay,
)


def records(*, cutoffs: dict[str, datetime.date]) -> RetentionRecords:
    """A stay is kept while it runs and for the ``stay`` period after the
    outflow."""
    stays = Stay.objects.all()
    still_kept = stays.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=cutoffs["stay"])
    )
    return RetentionRecords(
        kind="stay",
        priority=20,
        records=stays,
        still_kept=still_kept,
    )


def scrubbed_text() -> dict[type[models.Model], tuple[str, ...]]:
    return {
        Stay: ("outflow_note",),
        LocationPeriod: ("reason",),
        Incident: ("decided_by", "description"),
        IndividualPlan: ("regievoerder", "aftercare_coordinator", "notes"),
        Activity: ("responsible_person", "not_done_reason"),
        Review: ("participants", "notes"),
        Employment: ("employer_contact", "agreements"),
        EmployerCheck: ("checked_by", "notes"),
        JobSearchActivity: ("reason_not_used", "notes"),
    }

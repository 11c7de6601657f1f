"""What intake tells ``core.retention``: which people its cases keep
identifiable, which free text names people, and its kept list files."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q

from core.registry import RetentionRecords
from intake.models import CriterionCheck, ImportBatch, IntakeCase, IntakeOutcome


def records(*, cutoffs: dict[str, datetime.date]) -> RetentionRecords:
    """A case without placement is kept for the ``intake_case`` period after
    it closed; a case that led to a placement follows its stay."""
    cases = IntakeCase.objects.all()
    placed = Q(outcome=IntakeOutcome.PLACED)
    still_kept = cases.filter(
        Q(outcome=IntakeOutcome.OPEN)
        | Q(closed_on__isnull=True)
        | (~placed & Q(closed_on__gt=cutoffs["intake_case"]))
        | (placed & Q(closed_on__gt=cutoffs["stay"]))
    )
    return RetentionRecords(
        kind="intake_case",
        priority=10,
        records=cases,
        still_kept=still_kept,
    )


def scrubbed_text() -> dict[type[models.Model], tuple[str, ...]]:
    return {
        IntakeCase: ("referring_person",),
        CriterionCheck: ("exception_reason",),
    }


def files_due(*, uploaded_before: datetime.datetime) -> int:
    """How many kept list files were uploaded before ``uploaded_before``."""
    return (
        ImportBatch.objects.filter(uploaded_at__lt=uploaded_before)
        .exclude(file="")
        .count()
    )

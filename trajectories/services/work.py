"""Writes for work during the stay: jobs, employer checks, job search."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.concurrency import versioned_save
from partners.models import Organisation, OrganisationKind
from trajectories.models import (
    EmployerCheck,
    Employment,
    JobSearchActivity,
    Stay,
)
from trajectories.models.work import JOB_SEARCH_REASON_REQUIRED

__all__ = ["JOB_SEARCH_REASON_REQUIRED"]

EMPLOYER_NAME_REQUIRED = _("Give the employer's name.")
EMPLOYER_OF_ANOTHER_SITE = _(
    "An organisation with this name is registered, but not for this site. "
    "Ask a functional administrator to add it to this site, or use another name."
)

EMPLOYMENT_EDITABLE_FIELDS = (
    "job_title",
    "hours_per_week",
    "pay_kind",
    "started_on",
    "origin",
    "ended_on",
    "continued_after_outflow",
    "verifiable_with_employer",
    "within_travel_distance",
    "employer_contact",
    "agreements",
)


def employer_for(*, name: str, stay: Stay) -> Organisation:
    """The employer organisation by name, created (for this site) if new."""
    name = name.strip()
    if not name:
        raise ValidationError({"employer_name": EMPLOYER_NAME_REQUIRED})
    organisation = (
        Organisation.objects.for_site(stay.site).filter(name__iexact=name).first()
    )
    if organisation is None:
        # Another site's organisation is not linked silently: its contact
        # persons would become visible here.
        if Organisation.objects.filter(name__iexact=name).exists():
            raise ValidationError({"employer_name": EMPLOYER_OF_ANOTHER_SITE})
        organisation = Organisation(name=name, kind=OrganisationKind.EMPLOYER)
        organisation.full_clean()
        organisation.save()
        organisation.sites.add(stay.site)
    return organisation


def _apply(job: Employment, data: dict[str, Any]) -> None:
    for name in EMPLOYMENT_EDITABLE_FIELDS:
        if name in data:
            value = data[name]
            if name == "hours_per_week" and value is not None:
                value = Decimal(value)
            setattr(job, name, value.strip() if isinstance(value, str) else value)


@transaction.atomic
def employment_record(
    *, stay: Stay, employer_name: str, data: dict[str, Any]
) -> Employment:
    """Record a job; paid / unpaid / volunteer is required, never unknown."""
    job = Employment(stay=stay, employer=employer_for(name=employer_name, stay=stay))
    _apply(job, data)
    job.full_clean()
    job.save()
    return job


@transaction.atomic
def employment_update(
    *,
    job: Employment,
    employer_name: str,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> Employment:
    """Change a job; refused with ``ConcurrentEditError`` when someone else
    saved it after ``expected_version``."""
    job.employer = employer_for(name=employer_name, stay=job.stay)
    _apply(job, data)
    job.full_clean()
    return versioned_save(
        instance=job,
        fields=("employer", *EMPLOYMENT_EDITABLE_FIELDS),
        expected_version=expected_version,
    )


@transaction.atomic
def employer_check_record(
    *,
    job: Employment,
    checked_on: datetime.date,
    method: str,
    confirmed: bool,
    checked_by: str = "",
    notes: str = "",
) -> EmployerCheck:
    """Record a check by the KV with the employer."""
    check = EmployerCheck(
        employment=job,
        checked_on=checked_on,
        method=method,
        confirmed=confirmed,
        checked_by=checked_by.strip(),
        notes=notes.strip(),
    )
    check.full_clean()
    check.save()
    return check


@transaction.atomic
def job_search_record(
    *,
    stay: Stay,
    kind: str,
    occurred_on: datetime.date,
    used: bool,
    reason_not_used: str = "",
    notes: str = "",
) -> JobSearchActivity:
    """Record a job-search activity of Bijlage 7 table B7.2, with the reason
    when it was not used."""
    if not used and not reason_not_used.strip():
        raise ValidationError({"reason_not_used": JOB_SEARCH_REASON_REQUIRED})
    activity = JobSearchActivity(
        stay=stay,
        kind=kind,
        occurred_on=occurred_on,
        used=used,
        reason_not_used=reason_not_used.strip() if not used else "",
        notes=notes.strip(),
    )
    activity.full_clean()
    activity.save()
    return activity

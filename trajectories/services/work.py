"""Writes for work during the stay: jobs, employer checks, job search."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.concurrency import versioned_save
from core.models import AuditKind
from core.services import audit_event_record
from partners.models import Organisation, OrganisationKind
from trajectories.models import (
    EmployerCheck,
    Employment,
    JobSearchActivity,
    Stay,
    WorkRule,
    rule_check,
)
from trajectories.models.work import JOB_SEARCH_REASON_REQUIRED, rule_breach_text

__all__ = ["JOB_SEARCH_REASON_REQUIRED"]

EMPLOYER_NAME_REQUIRED = _("Give the employer's name.")
WORK_RULES_BROKEN = _(
    "This job does not meet the work rules of %(site)s: %(rules)s. Confirm "
    "and give a reason to save it anyway; it then shows under Plans to do."
)
RULE_BREACH_NOT_CONFIRMED = _(
    "Confirm that this job is saved although it breaks the work rules."
)
RULE_BREACH_REASON_REQUIRED = _(
    "Give the reason to accept this job although it breaks the work rules."
)
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


def broken_work_rules(job: Employment) -> list[str]:
    """What the site's work rules ask that ``job`` does not have (one query)."""
    placed_on = job.stay.placed_on
    return [
        rule_breach_text(rule, job, placed_on)
        for rule in WorkRule.objects.filter(site_id=job.stay.site_id)
        if not rule_check(rule, job, placed_on)
    ]


def _check_work_rules(
    job: Employment,
    *,
    confirm_rule_breach: bool,
    rule_breach_reason: str,
    actor: AbstractBaseUser | None,
) -> None:
    """A job against the site's work rules is saved only with an explicit
    confirmation and a reason, which is audited; a job within the rules
    keeps no reason."""
    broken = broken_work_rules(job)
    reason = rule_breach_reason.strip()
    if not broken:
        job.rule_breach_reason = ""
        return
    if not confirm_rule_breach or not reason:
        errors: dict[str, list[ValidationError]] = {
            NON_FIELD_ERRORS: [
                ValidationError(
                    WORK_RULES_BROKEN,
                    code="work_rule_breach",
                    params={"site": job.stay.site.name, "rules": "; ".join(broken)},
                )
            ]
        }
        if not confirm_rule_breach:
            errors["confirm_rule_breach"] = [
                ValidationError(RULE_BREACH_NOT_CONFIRMED, code="not_confirmed")
            ]
        if not reason:
            errors["rule_breach_reason"] = [
                ValidationError(RULE_BREACH_REASON_REQUIRED, code="reason_required")
            ]
        raise ValidationError(errors)
    if reason != job.rule_breach_reason:
        audit_event_record(
            actor=actor,
            kind=AuditKind.OVERRIDE,
            site=job.stay.site,
            summary=f"job against the work rules of {job.stay.site.code}",
            details={"stay": job.stay_id, "broken": broken, "reason": reason},
        )
    job.rule_breach_reason = reason


@transaction.atomic
def employment_record(
    *,
    stay: Stay,
    employer_name: str,
    data: dict[str, Any],
    confirm_rule_breach: bool = False,
    rule_breach_reason: str = "",
    actor: AbstractBaseUser | None = None,
) -> Employment:
    """Record a job; paid / unpaid / volunteer is required, never unknown.

    A job that breaks the site's work rules (Middelburg: 24 hours a week,
    verifiable, within travel distance; Rotterdam: 26 hours a week for at
    least three months) needs ``confirm_rule_breach`` and a reason.
    """
    job = Employment(stay=stay, employer=employer_for(name=employer_name, stay=stay))
    _apply(job, data)
    job.full_clean()
    _check_work_rules(
        job,
        confirm_rule_breach=confirm_rule_breach,
        rule_breach_reason=rule_breach_reason,
        actor=actor,
    )
    job.save()
    return job


@transaction.atomic
def employment_update(
    *,
    job: Employment,
    employer_name: str,
    data: dict[str, Any],
    confirm_rule_breach: bool = False,
    rule_breach_reason: str = "",
    actor: AbstractBaseUser | None = None,
    expected_version: int | None = None,
) -> Employment:
    """Change a job; the work rules are checked again as for a new one.
    Refused with ``ConcurrentEditError`` when someone else saved it after
    ``expected_version``."""
    job.employer = employer_for(name=employer_name, stay=job.stay)
    _apply(job, data)
    job.full_clean()
    _check_work_rules(
        job,
        confirm_rule_breach=confirm_rule_breach,
        rule_breach_reason=rule_breach_reason,
        actor=actor,
    )
    return versioned_save(
        instance=job,
        fields=("employer", *EMPLOYMENT_EDITABLE_FIELDS, "rule_breach_reason"),
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

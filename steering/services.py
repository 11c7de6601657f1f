"""Writes of meetings, decisions, actions and forecasts; each is audited."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from core.concurrency import versioned_save
from core.dates import day_text
from core.models import AuditKind, CriteriaVersion, Membership, Site
from core.services import audit_event_record
from intake.models import IntakeCase, IntakeProcessVersion
from partners.models import Organisation
from steering.models import (
    Action,
    Decision,
    ForecastAlertRule,
    ForecastVersion,
    Meeting,
    MeetingKind,
)

OTHER_SITE = _("This belongs to another site.")
OWNER_NOT_AT_SITE = _("The owner must be a user of this site.")
FORECAST_START_TAKEN = _("A forecast version already starts on this day.")
ACTION_ALREADY_DONE = _("This action was already marked as done.")


def _check_site(site: Site, *objects: Any) -> None:
    for obj in objects:
        if obj is not None and getattr(obj, "site_id", site.pk) != site.pk:
            raise ValidationError(OTHER_SITE)


@transaction.atomic
def meeting_create(
    *,
    site: Site,
    kind: MeetingKind,
    held_on: datetime.date,
    organisations: Iterable[Organisation] = (),
    other_attendees: str = "",
    notes: str = "",
    created_by: AbstractBaseUser,
) -> Meeting:
    """Record a meeting of ``site`` with the organisations present."""
    _check_site(site, kind)
    allowed = set(Organisation.objects.for_site(site).values_list("pk", flat=True))
    organisations = list(organisations)
    if any(organisation.pk not in allowed for organisation in organisations):
        raise ValidationError(OTHER_SITE)
    meeting = Meeting(
        site=site,
        kind=kind,
        held_on=held_on,
        other_attendees=other_attendees,
        notes=notes,
        created_by=created_by,
    )
    meeting.full_clean()
    meeting.save()
    meeting.organisations.set(organisations)
    audit_event_record(
        actor=created_by,
        kind=AuditKind.STEERING,
        site=site,
        summary=gettext_noop("Meeting recorded: %(kind)s on %(day)s"),
        params={"kind": kind.name, "day": day_text(held_on)},
        details={"meeting": meeting.pk},
    )
    return meeting


@transaction.atomic
def decision_create(
    *,
    meeting: Meeting,
    text: str,
    criteria_version: CriteriaVersion | None = None,
    process_version: IntakeProcessVersion | None = None,
    cases: Iterable[IntakeCase] = (),
    created_by: AbstractBaseUser,
) -> Decision:
    """Record a decision of ``meeting`` and what it caused."""
    cases = list(cases)
    _check_site(meeting.site, criteria_version, process_version, *cases)
    decision = Decision(
        meeting=meeting,
        text=text,
        criteria_version=criteria_version,
        process_version=process_version,
    )
    decision.full_clean()
    decision.save()
    decision.cases.set(cases)
    audit_event_record(
        actor=created_by,
        kind=AuditKind.STEERING,
        site=meeting.site,
        summary=gettext_noop("Decision recorded in the meeting of %(day)s"),
        params={"day": day_text(meeting.held_on)},
        details={
            "meeting": meeting.pk,
            "decision": decision.pk,
            "cases": [case.pk for case in cases],
        },
    )
    return decision


@transaction.atomic
def action_create(
    *,
    meeting: Meeting,
    description: str,
    owner: AbstractBaseUser,
    due_on: datetime.date,
    decision: Decision | None = None,
    created_by: AbstractBaseUser,
) -> Action:
    """Record a follow-up action with its owner, a user of the site."""
    if decision is not None and decision.meeting_id != meeting.pk:
        raise ValidationError(OTHER_SITE)
    if not Membership.objects.filter(user=owner, site=meeting.site).exists():
        raise ValidationError({"owner": OWNER_NOT_AT_SITE})
    action = Action(
        meeting=meeting,
        decision=decision,
        description=description,
        owner=owner,
        due_on=due_on,
    )
    action.full_clean()
    action.save()
    audit_event_record(
        actor=created_by,
        kind=AuditKind.STEERING,
        site=meeting.site,
        summary=gettext_noop("Action recorded for %(owner)s, due %(day)s"),
        params={"owner": owner.get_username(), "day": day_text(due_on)},
        details={"meeting": meeting.pk, "action": action.pk},
    )
    return action


@transaction.atomic
def action_complete(
    *, action: Action, done_on: datetime.date, completed_by: AbstractBaseUser
) -> Action:
    """Mark an action done; done twice is refused (two people at once)."""
    updated = Action.objects.filter(pk=action.pk, done_on__isnull=True).update(
        done_on=done_on
    )
    if not updated:
        raise ValidationError(ACTION_ALREADY_DONE)
    action.refresh_from_db()
    audit_event_record(
        actor=completed_by,
        kind=AuditKind.STEERING,
        site=action.meeting.site,
        summary=gettext_noop("Action marked as done on %(day)s"),
        params={"day": day_text(done_on)},
        details={"action": action.pk},
    )
    return action


@transaction.atomic
def forecast_version_create(
    *,
    site: Site,
    valid_from: datetime.date,
    source: str,
    basis: str,
    candidates_per_year: int | None = None,
    intakes_per_year: int | None = None,
    placements_per_year: int | None = None,
    occupancy: int | None = None,
    report_lines: str = "",
    created_by: AbstractBaseUser,
) -> ForecastVersion:
    """Add the next forecast version of ``site``; earlier ones stay."""
    # lock the site row so two project leaders never take the same number
    Site.objects.select_for_update().filter(pk=site.pk).first()
    if ForecastVersion.objects.filter(site=site, valid_from=valid_from).exists():
        raise ValidationError({"valid_from": FORECAST_START_TAKEN})
    latest = ForecastVersion.objects.filter(site=site).aggregate(n=Max("version"))
    version = ForecastVersion(
        site=site,
        version=(latest["n"] or 0) + 1,
        valid_from=valid_from,
        source=source,
        basis=basis,
        candidates_per_year=candidates_per_year,
        intakes_per_year=intakes_per_year,
        placements_per_year=placements_per_year,
        occupancy=occupancy,
        report_lines=report_lines,
        created_by=created_by,
    )
    version.full_clean()
    version.save()
    audit_event_record(
        actor=created_by,
        kind=AuditKind.STEERING,
        site=site,
        summary=gettext_noop("Forecast version %(version)s from %(day)s recorded"),
        params={"version": version.version, "day": day_text(valid_from)},
        details={"forecast": version.pk},
    )
    return version


@transaction.atomic
def forecast_alert_rule_set(
    *,
    site: Site,
    share_percent: int,
    months: int,
    changed_by: AbstractBaseUser,
    expected_version: int | None = None,
) -> ForecastAlertRule:
    """Set when the dashboard warns that inflow stays behind the forecast.

    A rule changed by someone else since the form was opened is refused
    (``ConcurrentEditError``) with the input kept.
    """
    rule, _created = ForecastAlertRule.objects.get_or_create(site=site)
    old = {"share_percent": rule.share_percent, "months": rule.months}
    rule.share_percent = share_percent
    rule.months = months
    rule.full_clean()
    versioned_save(
        instance=rule,
        fields=["share_percent", "months"],
        expected_version=expected_version,
    )
    audit_event_record(
        actor=changed_by,
        kind=AuditKind.STEERING,
        site=site,
        summary=gettext_noop(
            "Forecast warning set: below %(share)s%% for %(months)s months"
        ),
        params={"share": share_percent, "months": months},
        details={"old": old},
    )
    return rule

"""The fixed choices of intake: case outcomes, stage kinds and outcomes
(with what counts as passed and the bit of each kind in the reach summary),
due-date anchors, pre-scan partners, awareness channels and end reasons.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class IntakeOutcome(models.TextChoices):
    OPEN = "open", _("open")
    PLACED = "placed", _("placed")
    REJECTED = "rejected", _("rejected")
    DECLINED = "declined", _("declined by the candidate")
    WITHDRAWN = "withdrawn", _("withdrawn")
    HANDED_BACK = "handed_back", _("handed back")
    WAITLISTED = "waitlisted", _("waitlisted")


class StageKind(models.TextChoices):
    """What a stage does; the services treat some kinds specially."""

    STEP = "step", _("step")
    ASSESSMENT = "assessment", _("assessment with an outcome")
    WAITLIST = "waitlist", _("waiting list")
    CONSENT = "consent", _("consent")
    PRESCAN = "prescan", _("pre-scan (objection yes/no per partner)")
    TRIAL = "trial", _("trial period")
    DECISION = "decision", _("placement decision")


class StageOutcome(models.TextChoices):
    COMPLETED = "completed", _("completed")
    POSITIVE = "positive", _("positive")
    NEGATIVE = "negative", _("negative")


#: a stage passed: recorded as completed or positive (``StageEvent.passed``)
PASSED_OUTCOMES = [StageOutcome.COMPLETED, StageOutcome.POSITIVE]

#: the bit of each stage kind in ``CaseStageReach.passed_kinds``. Stored rows
#: depend on it: never renumber a kind; a new kind takes the next free bit.
PASSED_KIND_BITS: dict[str, int] = {
    StageKind.STEP: 1,
    StageKind.ASSESSMENT: 2,
    StageKind.WAITLIST: 4,
    StageKind.CONSENT: 8,
    StageKind.PRESCAN: 16,
    StageKind.TRIAL: 32,
    StageKind.DECISION: 64,
}


class DueAnchor(models.TextChoices):
    NONE = "", _("no due date")
    OPENED = "opened", _("days after the case was opened")
    PREREQUISITES = "prerequisites", _("days after the preceding stages")
    REPORT_DATE = "report_date", _("days relative to the report date (meldingsdatum)")


class PrescanPartner(models.TextChoices):
    OM = "om", _("Openbaar Ministerie (OM)")
    POLICE = "police", _("police")
    PROBATION = "reclassering", _("reclassering")
    SAFETY_HOUSE = "veiligheidshuis", _("Veiligheidshuis")


class AwarenessChannel(models.TextChoices):
    UNKNOWN = "", _("unknown")
    OTHER_DETAINEES = "other_detainees", _("other detainees")
    STAFF = "staff", _("PI staff")
    INFORMATION = "information", _("information material (leaflet, infographic, film)")
    PRESENTATION = "presentation", _("presentation or information session")
    PARTNER = "partner", _("a chain partner")
    LAWYER = "lawyer", _("lawyer")
    CALL_UP = "call_up", _("call-up letter")
    OTHER = "other", _("other")


class EndReasonCode(models.TextChoices):
    CRITERION_NOT_MET = "criterion_not_met", _("does not meet a criterion")
    PRESCAN_OBJECTION = "prescan_objection", _("objection in the pre-scan")
    NEGATIVE_ADVICE = "negative_advice", _("negative advice or decision in a stage")
    NOT_GROUP_SUITABLE = "not_group_suitable", _("not group-suitable")
    NO_VICTIM_CONSENT = "no_victim_consent", _("no consent of the victim")
    EMPLOYER_REFUSED = "employer_refused", _("employer does not cooperate")
    NO_CONSENT = "no_consent", _("candidate gave no consent")
    PREFERS_OTHER_REGIME = (
        "prefers_other_regime",
        _("candidate prefers another regime (ZBBI, PP, schorsing)"),
    )
    NOT_INTERESTED = "not_interested", _("candidate not interested")
    TIME_TOO_SHORT = "time_too_short", _("remaining time too short")
    SITE_NOT_AVAILABLE = "site_not_available", _("KV not available")
    OTHER = "other", _("other")

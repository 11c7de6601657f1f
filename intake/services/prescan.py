"""The pre-scan of an intake case: each partner's answer, and the stage
event recorded once every partner has answered.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from intake.models import (
    IntakeCase,
    IntakeStageDefinition,
    PrescanAnswer,
    StageKind,
    StageOutcome,
)
from intake.services.cases import _lock_open_case
from intake.services.stages import _check_stage, _event_save
from partners.models import Organisation
from partners.services import performing_organisation_check

PRESCAN_NOT_IN_STAGE = _("%(partner)s is not a partner in this pre-scan.")
PRESCAN_ALREADY_ANSWERED = _("%(partner)s has already answered this pre-scan.")
NO_PRESCAN_STAGE = _("The case's intake process has no pre-scan.")


@transaction.atomic
def prescan_answer_record(
    *,
    case: IntakeCase,
    partner: str,
    asked_on: datetime.date,
    answered_on: datetime.date,
    objection: bool,
    actor: AbstractBaseUser | None,
    expected_version: int | None = None,
    performing_organisation: Organisation | None = None,
) -> PrescanAnswer:
    """Register one partner's pre-scan answer: objection yes or no, nothing else.

    The answering organisation is the one the stage agrees for the partner
    (``prescan_performers``) unless ``performing_organisation`` names
    another party of the site.

    When the last partner has answered, the pre-scan stage is recorded:
    negative if anyone objected.
    """
    case = _lock_open_case(case, expected_version)
    stage = case.process.stages.filter(kind=StageKind.PRESCAN).first()
    if stage is None:
        raise ValidationError(NO_PRESCAN_STAGE, code="no_prescan")
    label = dict(PrescanAnswer._meta.get_field("partner").choices).get(partner, partner)
    if partner not in stage.prescan_partners:
        raise ValidationError(
            PRESCAN_NOT_IN_STAGE, code="prescan_partner", params={"partner": label}
        )
    if case.prescan_answers.filter(partner=partner).exists():
        raise ValidationError(
            PRESCAN_ALREADY_ANSWERED, code="prescan_answered", params={"partner": label}
        )
    if not case.events.filter(stage=stage).exists():
        _check_stage(case, stage, answered_on)
    agreed = prescan_agreed_organisation(stage=stage, partner=partner)
    performing_organisation = performing_organisation or agreed
    performing_organisation_check(
        organisation=performing_organisation,
        site=case.site,
        field="performing_organisation",
    )
    answer = PrescanAnswer(
        case=case,
        partner=partner,
        asked_on=asked_on,
        answered_on=answered_on,
        objection=objection,
        agreed_organisation=agreed,
        performing_organisation=performing_organisation,
        actor=actor if actor is not None and actor.pk else None,
    )
    answer.full_clean()
    answer.save()
    answers = list(case.prescan_answers.all())
    if {a.partner for a in answers} >= set(stage.prescan_partners):
        _event_save(
            case=case,
            stage=stage,
            occurred_on=max(a.answered_on for a in answers),
            outcome=StageOutcome.NEGATIVE
            if any(a.objection for a in answers)
            else StageOutcome.POSITIVE,
            actor=actor,
        )
    return answer


def prescan_agreed_organisation(
    *, stage: IntakeStageDefinition, partner: str
) -> Organisation | None:
    """The organisation a pre-scan stage agrees answers for ``partner``."""
    name = stage.prescan_performers.get(partner)
    return Organisation.objects.filter(name=name).first() if name else None

"""Data for the background-work tests: one site where a researcher and a
casemanager each have one thing of every kind waiting."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from core.models import Person, Site
from core.scoping import Role
from intake.models import DueAnchor
from partners.models import ConsentKind
from tests.factories import (
    ActivityFactory,
    GoalFactory,
    IndividualPlanFactory,
    IntakeCaseFactory,
    IntakeProcessFactory,
    IntakeStageFactory,
    MeasurementFactory,
    PersonFactory,
    RequiredConsentFactory,
    SiteFactory,
    StayFactory,
    UserFactory,
    user_with_role,
)

# What each user's reminder e-mail must count.
RESEARCHER_COUNTS = {"measurements_due": 1, "measurements_overdue": 1}
CASEMANAGER_COUNTS = {
    "intake_stages_overdue": 1,
    "plan_reviews_overdue": 1,
    "activities_past_due": 1,
    "consents_missing": 1,
}


@dataclass
class WaitingWork:
    site: Site
    researcher: object
    casemanager: object
    person: Person
    candidate: Person


def waiting_work(site: Site | None = None) -> WaitingWork:
    today = timezone.localdate()
    days = datetime.timedelta
    site = site or SiteFactory(code="almelo", name="KV Almelo")
    researcher = user_with_role(Role.RESEARCHER, site, username="onderzoeker")
    casemanager = user_with_role(Role.CASEMANAGER, site, username="casemanager")
    for user in (researcher, casemanager):
        user.email = f"{user.username}@example.nl"
        user.save(update_fields=["email"])
    person = PersonFactory(
        site=site, first_name="Geheimvoornaam", last_name="Geheimachternaam"
    )
    stay = StayFactory(site=site, person=person, placed_on=today - days(60))
    # a measurement due (window open, date ahead) and one overdue
    MeasurementFactory(
        stay=stay,
        moment="tussenmeting",
        sequence=1,
        due_on=today + days(5),
        window_start=today - days(25),
        window_end=today + days(35),
    )
    MeasurementFactory(
        stay=stay,
        moment="nulmeting",
        due_on=today - days(5),
        window_start=today - days(35),
        window_end=today + days(25),
    )
    # a plan without review for 60 days (interval 28) and a late activity
    plan = IndividualPlanFactory(stay=stay, drawn_up_on=today - days(60))
    ActivityFactory(goal=GoalFactory(plan=plan), due_on=today - days(3))
    # the site requires victim consent; nobody gave it
    RequiredConsentFactory(site=site, kind=ConsentKind.VICTIM)
    # an intake case whose first stage was due 14 days after opening
    process = IntakeProcessFactory(site=site, version=1, valid_from=today - days(400))
    IntakeStageFactory(
        process=process,
        code="screening",
        order=1,
        due_anchor=DueAnchor.OPENED,
        due_offset_days=14,
    )
    candidate = PersonFactory(
        site=site, first_name="Kandidaatvoornaam", last_name="Kandidaatachternaam"
    )
    IntakeCaseFactory(
        site=site, person=candidate, process=process, opened_on=today - days(30)
    )
    # someone without a role gets nothing
    UserFactory(username="zonderrol", email="zonderrol@example.nl")
    return WaitingWork(site, researcher, casemanager, person, candidate)

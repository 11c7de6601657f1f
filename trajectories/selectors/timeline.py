"""A person's timeline: everything that happened to them, oldest first,
with the rows other apps add through the registry.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from core import registry
from core.models import Person
from trajectories.models import (
    Activity,
    Incident,
    IndividualPlan,
    LocationPeriod,
    Review,
    Stay,
    StayPhase,
)

# What each kind of timeline entry is called on the page.
TIMELINE_KINDS = {
    "intake": _("intake"),
    "stay": _("placement"),
    "outflow": _("outflow"),
    "phase": _("phase"),
    "location": _("location"),
    "incident": _("incident"),
    "plan": _("plan"),
    "activity": _("activity"),
    "review": _("progress review"),
    "work": _("work"),
    "measurement": _("measurement"),
}


@dataclass
class TimelineEntry:
    day: datetime.date
    kind: str
    title: str
    detail: str = ""
    url: str = ""

    @property
    def kind_label(self) -> str:
        return str(TIMELINE_KINDS.get(self.kind, self.kind))


def _url(name: str, pk: int) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def person_timeline(*, person: Person) -> list[TimelineEntry]:
    """Everything that happened to a person, oldest first.

    One query per kind of record (intake cases, stays, phases, locations,
    incidents, plans, activities, reviews, jobs, measurements), so the
    count does not grow with the data.
    """
    entries: list[TimelineEntry] = []
    for case in person.intake_cases.all():
        url = _url("intake:case_detail", case.pk)
        entries.append(TimelineEntry(case.opened_on, "intake", str(case), "", url))
        if case.closed_on:
            entries.append(
                TimelineEntry(
                    case.closed_on, "intake", str(case), case.get_outcome_display(), url
                )
            )
    stays = list(Stay.objects.filter(person=person).select_related("place_type"))
    for stay in stays:
        url = stay.get_absolute_url()
        entries.append(
            TimelineEntry(stay.placed_on, "stay", str(stay), stay.place_type.name, url)
        )
        if stay.ended_on:
            entries.append(
                TimelineEntry(
                    stay.ended_on,
                    "outflow",
                    stay.get_outflow_type_display(),
                    stay.aftercare_municipality,
                    url,
                )
            )
    for period in StayPhase.objects.filter(stay__person=person).select_related(
        "phase", "place_type"
    ):
        entries.append(
            TimelineEntry(
                period.started_on,
                "phase",
                str(period.phase or period.place_type),
                period.place_type.name,
                _url("trajectories:stay_detail", period.stay_id),
            )
        )
    for location in LocationPeriod.objects.filter(stay__person=person):
        entries.append(
            TimelineEntry(
                location.started_on,
                "location",
                location.get_status_display(),
                location.reason,
                _url("trajectories:stay_detail", location.stay_id),
            )
        )
    for incident in Incident.objects.filter(stay__person=person):
        entries.append(
            TimelineEntry(
                incident.occurred_on,
                "incident",
                incident.get_kind_display(),
                incident.get_consequence_display(),
                _url("trajectories:stay_detail", incident.stay_id),
            )
        )
    for plan in IndividualPlan.objects.filter(stay__person=person):
        entries.append(
            TimelineEntry(
                plan.drawn_up_on, "plan", plan.name, "", plan.get_absolute_url()
            )
        )
    for activity in Activity.objects.filter(
        goal__plan__stay__person=person, done_on__isnull=False
    ).select_related("goal__plan"):
        entries.append(
            TimelineEntry(
                activity.done_on,
                "activity",
                activity.description,
                activity.get_status_display(),
                _url("trajectories:plan_detail", activity.goal.plan_id),
            )
        )
    for review in Review.objects.filter(plan__stay__person=person):
        entries.append(
            TimelineEntry(
                review.held_on,
                "review",
                review.get_kind_display(),
                review.notes[:200],
                _url("trajectories:plan_detail", review.plan_id),
            )
        )
    jobs = apps.get_model("trajectories", "Employment").objects.filter(
        stay__person=person
    )
    for job in jobs.select_related("employer"):
        entries.append(
            TimelineEntry(job.started_on, "work", job.job_title, job.employer.name, "")
        )
    # Other apps' records (evaluation's measurements), declared on their
    # AppConfig: this app does not import the apps above it.
    for more in registry.dotted("timeline_entries"):
        entries.extend(more(person))
    entries.sort(key=lambda entry: entry.day)
    return entries

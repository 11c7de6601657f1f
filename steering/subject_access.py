"""This app's part of a person's data-subject access document
(core.subject_access): decisions of meetings that name one of the person's
intake cases."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.dates import day_text
from core.models import Person
from core.subject_access import Section
from steering.models import Decision


def sections(person: Person) -> list[Section]:
    decisions = (
        Decision.objects.filter(cases__person=person)
        .select_related("meeting__kind")
        .distinct()
        .order_by("meeting__held_on", "pk")
    )
    section = Section(
        _("Decisions of meetings about the person"),
        [_("Meeting"), _("Date"), _("Decision")],
        model_label="steering.decision",
    )
    for decision in decisions:
        section.rows.append(
            [
                decision.meeting.kind.name,
                day_text(decision.meeting.held_on),
                decision.text,
            ]
        )
    return [section]

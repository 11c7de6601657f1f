"""Objects behind the steering URL keywords, for the permission matrix."""

from __future__ import annotations

import datetime
from typing import Any

from core.models import Site
from core.scoping import Role
from steering.models import (
    Action,
    Decision,
    ForecastAlertRule,
    ForecastVersion,
    Meeting,
    MeetingKind,
)
from tests.factories import user_with_role


def build(site: Site, marker: str, world: dict[str, Any]) -> None:
    kind = MeetingKind.objects.create(site=site, code="stuurgroep", name="Stuurgroep")
    meeting = Meeting.objects.create(
        site=site,
        kind=kind,
        held_on=datetime.date(2024, 3, 1),
        notes=f"Verslag {marker}",
    )
    decision = Decision.objects.create(meeting=meeting, text=f"Besluit {marker}")
    decision.cases.add(world["_case"])
    owner_user = user_with_role(Role.CASEMANAGER, site)
    action = Action.objects.create(
        meeting=meeting,
        decision=decision,
        description=f"Actie {marker}",
        owner=owner_user,
        due_on=datetime.date(2024, 4, 1),
    )
    ForecastVersion.objects.create(
        site=site,
        version=1,
        valid_from=datetime.date(2020, 1, 1),
        candidates_per_year=120,
        placements_per_year=24,
        source=f"Projectplan {marker}",
        basis="Schatting",
    )
    ForecastAlertRule.objects.create(site=site, share_percent=50, months=3)
    world.update({"meeting_pk": meeting.pk, "action_pk": action.pk})

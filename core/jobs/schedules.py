"""Periodic work: the schedules declared on the AppConfigs
(``periodic_tasks``) written to django-q2's schedule table.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone


def _next_run(periodic: Any, now: datetime.datetime) -> datetime.datetime:
    local = timezone.localtime(now)
    if periodic.every == "minutes":
        return now
    hour, minute = (int(part) for part in periodic.at.split(":"))
    candidate = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if periodic.every == "monthly":
        candidate = candidate.replace(day=1)
        if candidate <= local:
            year = candidate.year + candidate.month // 12
            month = candidate.month % 12 + 1
            candidate = candidate.replace(year=year, month=month)
    elif candidate <= local:
        candidate += datetime.timedelta(days=1)
    return candidate


SCHEDULE_TYPES = {"minutes": "I", "daily": "D", "monthly": "M"}


def schedules_ensure() -> list[str]:
    """Write every declared periodic task to django-q2's schedule table.

    New ones get their first run (the next ``at`` time; at once for those
    running every few minutes); changed ones are updated, keeping their next
    run; a schedule the application no longer declares is removed. Returns
    the names written. Runs after every ``migrate``.
    """
    from django_q.models import Schedule

    from core.registry import periodic_tasks

    now = timezone.now()
    names = []
    for periodic in periodic_tasks():
        name = SCHEDULE_PREFIX + periodic.name
        values = {
            "func": periodic.func,
            "schedule_type": SCHEDULE_TYPES[periodic.every],
            "minutes": periodic.minutes,
            "repeats": -1,
        }
        schedule = Schedule.objects.filter(name=name).first()
        if schedule is None:
            Schedule.objects.create(
                name=name, next_run=_next_run(periodic, now), **values
            )
        elif any(getattr(schedule, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(schedule, key, value)
            schedule.save()
        names.append(name)
    Schedule.objects.filter(name__startswith=SCHEDULE_PREFIX).exclude(
        name__in=names
    ).delete()
    return names


# Names of the application's own schedules start with this.
SCHEDULE_PREFIX = "kv: "

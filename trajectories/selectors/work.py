"""Reads for work: jobs running now or in a period, and the one definition
of a job that breaks its site's work rules.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from core.scoping import CASE_READ_ROLES
from trajectories.models import Employment, WorkRule, rule_check
from trajectories.models.work import rule_breach_text


@dataclass
class WorkRuleBreach:
    """A job against its site's work rules, with what the rules ask."""

    job: Employment
    broken: list[str]
    kinds: list[str]


def work_rule_breaches(jobs: QuerySet[Employment]) -> list[WorkRuleBreach]:
    """The jobs among ``jobs`` that break their site's work rules.

    The one definition of a breach: the worklist, the home page count and
    the dashboards all pass their jobs through here. Two queries, whatever
    the number of jobs.
    """
    found = list(jobs.select_related("stay__person", "stay__site", "employer"))
    rules: dict[int, list[WorkRule]] = defaultdict(list)
    site_ids = {job.stay.site_id for job in found}
    for rule in WorkRule.objects.filter(site_id__in=site_ids) if site_ids else []:
        rules[rule.site_id].append(rule)
    breaches = []
    for job in found:
        placed_on = job.stay.placed_on
        site_rules = rules[job.stay.site_id]
        failed = [r for r in site_rules if not rule_check(r, job, placed_on)]
        if failed:
            breaches.append(
                WorkRuleBreach(
                    job,
                    [rule_breach_text(rule, job, placed_on) for rule in failed],
                    [rule.kind for rule in failed],
                )
            )
    return breaches


def current_jobs(
    *, user: AbstractBaseUser | AnonymousUser, roles: Iterable[str] = CASE_READ_ROLES
) -> QuerySet[Employment]:
    """Jobs that have not ended, of stays that have not ended."""
    return (
        Employment.objects.visible_to(user, roles)
        .filter(ended_on__isnull=True, stay__ended_on__isnull=True)
        .order_by("stay__site__name", "started_on", "pk")
    )


def jobs_during(
    *, site_ids: Iterable[int], start: datetime.date, end: datetime.date
) -> QuerySet[Employment]:
    """Jobs running on a day of ``[start, end]`` during a stay at the sites."""
    return Employment.objects.filter(
        stay__site_id__in=list(site_ids),
        started_on__lte=end,
        stay__placed_on__lte=end,
    ).filter(
        (Q(ended_on__isnull=True) | Q(ended_on__gte=start))
        & (Q(stay__ended_on__isnull=True) | Q(stay__ended_on__gte=start))
    )

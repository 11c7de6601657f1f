"""The casemanager's overviews: a person's timeline and the worklist."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.access import role_required
from core.models import Person
from core.scoping import (
    CASE_READ_ROLES,
    get_visible_or_404,
)
from trajectories import selectors


@role_required(CASE_READ_ROLES)
def person_timeline_view(request: HttpRequest, person_pk: int) -> HttpResponse:
    person = get_visible_or_404(
        Person.objects.select_related("site"),
        request.user,
        CASE_READ_ROLES,
        pk=person_pk,
    )
    entries = selectors.person_timeline(person=person)
    return render(
        request,
        "trajectories/person_timeline.html",
        {"person": person, "entries": entries},
    )


@role_required(CASE_READ_ROLES)
def worklist_view(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    context = {
        "today": today,
        "plans_without_goals": selectors.plans_without_goals(user=request.user),
        "activities_past_due": selectors.activities_past_due(
            user=request.user, today=today
        ),
        "reviews_overdue": selectors.reviews_overdue(user=request.user, today=today),
        "consents_missing": selectors.consents_missing(user=request.user),
        "work_rule_breaches": selectors.work_rule_breaches(
            selectors.current_jobs(user=request.user)
        ),
        "steps_to_do": selectors.stay_steps_to_do(user=request.user),
    }
    return render(request, "trajectories/worklist.html", context)

"""Derived items: values already registered elsewhere, shown instead of asked.

A catalogue item names its source as ``<root>.<field>`` (``person.gender``,
``stay.placed_on``, ``intake.opened_on``), optionally ``<root>.<field>=<code>``
for a yes/no that is true when the registered code equals ``<code>`` (one
sub-item per entry route, for example). ``ROOTS`` is the registry of objects:
each root maps a stay to the registered object, whose field is read
defensively with ``getattr`` so an item whose source field does not exist
(yet) is simply asked again instead of breaking the form.

``KEYED`` is the registry of yes/no facts kept as rows elsewhere, keyed by a
code: ``intake_stage.<stage code>`` (the intake step is registered),
``stay_step.<step code>`` (a step after placement, such as Amsterdam's start
meeting, is registered on the stay),
``prescan.<partner>`` (the pre-scan partner answered), ``job_search.<kind>``
(the job-search activity was used, or registered as not used) and
``work.<fact>`` (jobs registered during the stay).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

PATH_RE = re.compile(
    r"^(?P<root>[a-z_]+)\.(?P<field>[a-z_][a-z0-9_]*)(=(?P<code>[a-z0-9_]+))?$"
)


def _person(stay: Any) -> Any:
    return getattr(stay, "person", None)


def _stay(stay: Any) -> Any:
    return stay


def _intake(stay: Any) -> Any:
    return getattr(stay, "intake_case", None)


def _plan(stay: Any) -> Any:
    # One individual plan per stay (trajectories); absent until it is drawn up.
    try:
        return getattr(stay, "plan", None)
    except ObjectDoesNotExist:
        return None


def _intake_stage(stay: Any, code: str) -> bool | None:
    case = _intake(stay)
    events = getattr(case, "events", None)
    if events is None:
        return None
    return True if events.filter(stage__code=code).exists() else None


def _prescan(stay: Any, code: str) -> bool | None:
    answers = getattr(_intake(stay), "prescan_answers", None)
    if answers is None:
        return None
    return True if answers.filter(partner=code).exists() else None


def _stay_step(stay: Any, code: str) -> bool | None:
    # A step after placement (Amsterdam's start meeting) is kept on the stay.
    steps = getattr(stay, "steps", None)
    if steps is None:
        return None
    return True if steps.filter(definition__code=code).exists() else None


def _job_search(stay: Any, code: str) -> bool | None:
    activities = getattr(stay, "job_search", None)
    if activities is None:
        return None
    used = list(activities.filter(kind=code).values_list("used", flat=True))
    return any(used) if used else None


WORK_FACTS: dict[str, dict[str, Any]] = {
    "any_job": {},
    "paid_job_found": {"origin": "found", "pay_kind": "paid"},
    "job_continued": {"continued_after_outflow": True},
    "paid_job_continued": {"pay_kind": "paid", "continued_after_outflow": True},
}


def _work(stay: Any, code: str) -> bool | None:
    jobs = getattr(stay, "jobs", None)
    if jobs is None or code not in WORK_FACTS:
        return None
    # Only a registered job is a registered fact; no job means "ask".
    return True if jobs.filter(**WORK_FACTS[code]).exists() else None


KEYED: dict[str, Callable[[Any, str], bool | None]] = {
    "intake_stage": _intake_stage,
    "stay_step": _stay_step,
    "prescan": _prescan,
    "job_search": _job_search,
    "work": _work,
}

ROOTS: dict[str, Callable[[Any], Any]] = {
    "person": _person,
    "stay": _stay,
    "intake": _intake,
    "plan": _plan,
}

# Where a registered value comes from, as users know it; paths are for the
# catalogue files, not for the people entering data.
SOURCE_LABELS: dict[str, Promise] = {
    "person": _("person details"),
    "stay": _("stay"),
    "intake": _("intake"),
    "plan": _("individual plan"),
    "intake_stage": _("intake steps"),
    "stay_step": _("steps after placement"),
    "prescan": _("pre-scan"),
    "job_search": _("job-search activities"),
    "work": _("work during the stay"),
}


#: the model each root reads, as the registration map names it
#: (``registered_in: app.Model.field`` of a derived item is a field of it)
ROOT_MODELS: dict[str, str] = {
    "person": "core.Person",
    "stay": "trajectories.Stay",
    "intake": "intake.IntakeCase",
    "plan": "trajectories.IndividualPlan",
    "intake_stage": "intake.StageEvent",
    "stay_step": "trajectories.StayStep",
    "prescan": "intake.PrescanAnswer",
    "job_search": "trajectories.JobSearchActivity",
    "work": "trajectories.Employment",
}


def source_label(path: str) -> str:
    """The part of the registration a derived value is read from."""
    root = path.split(".", 1)[0]
    return str(SOURCE_LABELS.get(root, _("registration")))


# Person fields that identify someone are never shown through a derived item.
FORBIDDEN_FIELDS = {"first_name", "last_name", "date_of_birth", "dji_number"}


def derived_path_problem(path: str) -> str:
    """Why ``path`` is not a well-formed derived_from value ('' when it is)."""
    match = PATH_RE.match(path)
    if not match:
        return "expected <root>.<field> or <root>.<field>=<code>"
    if match["root"] in KEYED:
        if match["code"] is not None:
            return "a keyed source takes no =<code>"
        if match["root"] == "work" and match["field"] not in WORK_FACTS:
            return f"unknown work fact; known: {sorted(WORK_FACTS)}"
        return ""
    if match["root"] not in ROOTS:
        return f"unknown root {match['root']!r}; known: {sorted([*ROOTS, *KEYED])}"
    if match["field"] in FORBIDDEN_FIELDS:
        return "identifying fields cannot be derived"
    return ""


@dataclass(frozen=True)
class DerivedValue:
    value: Any
    display: str
    source: str


def resolve(path: str, stay: Any) -> DerivedValue | None:
    """The registered value for ``path``, or None when nothing is registered."""
    match = PATH_RE.match(path or "")
    if not match or derived_path_problem(path):
        return None
    if match["root"] in KEYED:
        fact = KEYED[match["root"]](stay, match["field"])
        return None if fact is None else DerivedValue(fact, "", path)
    obj = ROOTS[match["root"]](stay)
    if obj is None:
        return None
    try:
        raw = getattr(obj, match["field"], None)
    except ObjectDoesNotExist:
        raw = None
    if callable(raw):
        return None
    if match["code"] is not None:
        if raw in (None, ""):
            return None
        code = getattr(raw, "code", raw) if isinstance(raw, models.Model) else raw
        value: Any = str(code) == match["code"]
        return DerivedValue(value=value, display="", source=path)
    if raw in (None, ""):
        return None
    if isinstance(raw, models.Model):
        # A related object only answers a "=<code>" question: its name could
        # be a person's (stay.person) and researchers fill these forms.
        return None
    display_method = getattr(obj, f"get_{match['field']}_display", None)
    display = str(display_method()) if callable(display_method) else ""
    if isinstance(raw, datetime.date):
        value = raw.isoformat()
        display = display or raw.strftime("%d-%m-%Y")
    elif isinstance(raw, (bool, int, float, str)):
        value = raw
    else:
        value = str(raw)
    return DerivedValue(value=value, display=display or str(value), source=path)

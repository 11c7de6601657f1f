"""Derived items: values already registered elsewhere, shown instead of asked.

A catalogue item names its source as ``<root>.<field>`` (``person.gender``,
``stay.placed_on``, ``intake.opened_on``), optionally ``<root>.<field>=<code>``
for a yes/no that is true when the registered code equals ``<code>`` (one
sub-item per entry route, for example). ``ROOTS`` is the registry: each root
maps a stay to the registered object. Fields are read defensively with
``getattr`` so an item whose source field does not exist (yet) is simply
asked again instead of breaking the form.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import models

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


ROOTS: dict[str, Callable[[Any], Any]] = {
    "person": _person,
    "stay": _stay,
    "intake": _intake,
    "plan": _plan,
}

# Person fields that identify someone are never shown through a derived item.
FORBIDDEN_FIELDS = {"first_name", "last_name", "date_of_birth", "dji_number"}


def derived_path_problem(path: str) -> str:
    """Why ``path`` is not a well-formed derived_from value ('' when it is)."""
    match = PATH_RE.match(path)
    if not match:
        return "expected <root>.<field> or <root>.<field>=<code>"
    if match["root"] not in ROOTS:
        return f"unknown root {match['root']!r}; known: {sorted(ROOTS)}"
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
    if not match or match["root"] not in ROOTS or match["field"] in FORBIDDEN_FIELDS:
        return None
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

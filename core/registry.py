"""What each app contributes to shared places, declared on its AppConfig.

An app's config may define:

- ``reference_loaders``: dotted paths of functions that load its reference data
  (run by ``manage.py load_reference`` in INSTALLED_APPS order);
- ``demo_steps``: dotted paths of ``step(ctx: DemoContext)`` functions run by
  ``manage.py seed_demo`` in INSTALLED_APPS order;
- ``nav_items``: ``(url_name, label, roles)`` menu entries;
- ``home_sections``, ``person_sections``, ``site_sections``: dotted paths of
  ``section(request, obj) -> Section | None`` functions that add a block to the
  home page, the person page or the site page;
- ``periodic_tasks``: :class:`Periodic` entries, the application's own
  schedules on the task queue (``core.jobs.schedules_ensure`` writes them
  after every ``migrate``);
- ``digest_lines``: dotted paths of ``lines(user) -> list[DigestLine]``
  functions that add counts to the daily reminder e-mail (``core.digest``);
- ``subject_access_sections``: dotted paths of
  ``sections(person) -> list[core.subject_access.Section]`` functions that add
  the app's records of a person to their data-subject access document.
- ``search_sections``: dotted paths of ``section(request, text) -> Section |
  None`` functions that add their results to the header search;
- ``retention_file_purges``: dotted paths of
  ``purge(*, uploaded_before: datetime) -> int`` functions that delete the
  app's kept uploaded files past retention (``core.retention``) and return
  how many went;
- ``retention_records``: dotted paths of
  ``records(*, cutoffs: dict[str, date]) -> RetentionRecords`` functions: the
  app's records that keep a person identifiable until their retention period
  (``cutoffs[kind]``, a key of ``settings.KV_RETENTION_YEARS``) has run out;
- ``retention_scrubbed_text``: dotted paths of
  ``scrubbed() -> dict[Model, tuple[field, ...]]`` functions: free text of
  the app's models that names or describes people, blanked (rows and history)
  when their person is pseudonymised; each model has a ``person_lookup``;
- ``retention_files_due``: dotted paths of
  ``count(*, uploaded_before: datetime) -> int`` functions: how many kept
  files ``retention_file_purges`` would delete (the listing without
  ``--confirm``);
- ``timeline_entries``: dotted paths of ``entries(person) -> list`` functions
  that add the app's records to a person's timeline
  (``trajectories.selectors.TimelineEntry`` rows);
- ``person_statuses``: dotted paths of functions returning ``PersonStatus``
  rows (a condition on ``Person`` and its label); the person list shows, per
  person, the status with the highest priority that holds.

Sections are plain data (template name and context), built by the app's own
selectors, so pages stay thin and apps never edit each other's templates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.apps import apps
from django.utils.module_loading import import_string


@dataclass
class Section:
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


@dataclass(frozen=True)
class Periodic:
    """A task the worker's scheduler runs by itself.

    ``every`` is ``"minutes"`` (with ``minutes``), ``"daily"`` or
    ``"monthly"`` (on the first of the month); ``at`` is the local time of
    day ("HH:MM") of daily and monthly runs.
    """

    name: str
    func: str
    every: str
    minutes: int | None = None
    at: str = "00:00"


@dataclass(frozen=True)
class PersonStatus:
    code: str
    label: Any  # a lazy translation
    priority: int
    #: a boolean expression on Person, e.g. ``Exists(...OuterRef("pk"))``
    condition: Any


@dataclass(frozen=True)
class RetentionRecords:
    """An app's records that keep people identifiable (``retention_records``).

    ``records`` and ``still_kept`` are querysets of the app's records (each
    with a ``person_id``): all of them, and those still within their period.
    A person with records of several apps is listed under the ``kind`` of the
    highest ``priority``.
    """

    kind: str
    priority: int
    records: Any
    still_kept: Any


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    roles: frozenset[str]


def _declared(attribute: str) -> list[Any]:
    found: list[Any] = []
    for config in apps.get_app_configs():
        found.extend(getattr(config, attribute, ()))
    return found


@cache
def dotted(attribute: str) -> tuple[Callable[..., Any], ...]:
    return tuple(import_string(path) for path in _declared(attribute))


def dotted_paths(attribute: str) -> list[str]:
    return list(_declared(attribute))


def nav_items() -> list[NavItem]:
    return [
        NavItem(url_name, str(label), frozenset(roles))
        for url_name, label, roles in _declared("nav_items")
    ]


def sections(attribute: str, request: Any, obj: Any = None) -> list[Section]:
    built = [section(request, obj) for section in dotted(attribute)]
    return sorted((s for s in built if s is not None), key=lambda s: s.order)


def periodic_tasks() -> list[Periodic]:
    return list(_declared("periodic_tasks"))


def person_statuses() -> list[PersonStatus]:
    """Every app's person statuses, highest priority first."""
    found = [status for provider in dotted("person_statuses") for status in provider()]
    return sorted(found, key=lambda status: -status.priority)

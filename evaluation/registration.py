"""The registration map: research question 3b, "Wordt deze informatie reeds
vastgelegd?" (report L117), and the respondent groups of the KV-level
measurements.

Every catalogue item that takes a value says in its file where the value is
held before anybody asks (``registration.held_in``) and how it reaches the
research dataset (``registration.route``):

- ``held_in``: this application's own registration as ``app.Model.field``
  (checked against the app registry), the code of an external registration
  of ``fixtures/reference/registrations.yaml`` (DJI, reclassering, GNd,
  CJIB, municipality, ...), or ``none``;
- ``route``: ``derived`` (read from this application's registration, the
  item's ``derived_from``), ``researcher`` (entered on the measurement form:
  from an interview, a questionnaire or a file) or ``external_link`` (taken
  over from an external registration with its source and the date checked,
  the item's ``record_source``).

``registration_map`` is the one selector behind the per-site page and the
research export (its codebook columns and its "registratiekaart" sheet).
The map names models of any app as data; the loader only checks through the
app registry that the named field exists, it never reads those models.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from evaluation.derived import PATH_RE, ROOT_MODELS
from evaluation.models import AnswerType, CatalogueVersion, Item, Route

REFERENCE_DIR = Path(settings.BASE_DIR) / "fixtures" / "reference"
NOWHERE = "none"
REGISTRATION_KEYS = {"held_in", "route"}


class Holder(models.TextChoices):
    """Who holds an item's value: the shares of the page."""

    APP = "app", _("registered in this application")
    EXTERNAL = "external", _("registered in an external system")
    NONE = "none", _("registered nowhere")
    #: an item of a catalogue loaded before the map existed, or of a
    #: catalogue file without it: shown, never left out of the shares
    UNMAPPED = "unmapped", _("not mapped yet")


#: the route of an item whose catalogue entry has no registration yet
ROUTE_UNMAPPED = "unmapped"


@dataclass(frozen=True)
class ExternalSystem:
    code: str
    name: str
    organisation: str
    description: str


@dataclass(frozen=True)
class RespondentGroup:
    code: str
    export_code: int
    name: str
    description: str


def _read(name: str, key: str) -> list[dict[str, Any]]:
    path = REFERENCE_DIR / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries = data.get(key) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ValueError(f"{name}: expected a mapping with a '{key}' list")
    return entries


@functools.cache
def external_systems() -> dict[str, ExternalSystem]:
    """The external registrations, by code, in file order."""
    systems = {}
    for entry in _read("registrations.yaml", "systems"):
        code = str(entry["code"])
        if code in systems or code == NOWHERE or "." in code:
            raise ValueError(f"registrations.yaml: code {code!r} repeated or reserved")
        systems[code] = ExternalSystem(
            code=code,
            name=str(entry["name"]),
            organisation=str(entry.get("organisation") or ""),
            description=str(entry.get("description") or ""),
        )
    return systems


@functools.cache
def respondent_groups() -> dict[str, RespondentGroup]:
    """The respondent groups of KV-level measurements, by code, in file order."""
    groups: dict[str, RespondentGroup] = {}
    numbers: set[int] = set()
    for entry in _read("respondent_groups.yaml", "groups"):
        group = RespondentGroup(
            code=str(entry["code"]),
            export_code=int(entry["export_code"]),
            name=str(entry["name"]),
            description=str(entry.get("description") or ""),
        )
        if not group.code or group.code in groups or group.export_code in numbers:
            raise ValueError(f"respondent_groups.yaml: {group.code!r} repeated")
        if group.export_code < 1:
            raise ValueError("respondent_groups.yaml: export_code 0 is 'not specified'")
        groups[group.code] = group
        numbers.add(group.export_code)
    return groups


#: the name of the empty respondent group (answers from before the groups)
UNSPECIFIED_GROUP = _("respondent group not specified")


def respondent_group_name(code: str) -> str:
    if not code:
        return str(UNSPECIFIED_GROUP)
    group = respondent_groups().get(code)
    return group.name if group else code


def holder_of(held_in: str) -> str:
    """``Holder`` of a ``registered_in`` value ('' for a heading)."""
    if not held_in:
        return ""
    if held_in == NOWHERE:
        return Holder.NONE
    if "." in held_in:
        return Holder.APP
    return Holder.EXTERNAL


def held_in_label(held_in: str) -> str:
    """Where an item is held, as a reader names it: the model and field, the
    external registration's name, or "nowhere"."""
    holder = holder_of(held_in)
    if holder == Holder.EXTERNAL:
        system = external_systems().get(held_in)
        return system.name if system else held_in
    if holder == Holder.NONE:
        return str(_("nowhere"))
    return held_in or str(Holder.UNMAPPED.label)


def _model_field(held_in: str) -> tuple[type[models.Model] | None, str]:
    """The model a ``app.Model.field`` value names and the problem, if any."""
    parts = held_in.split(".")
    if len(parts) != 3 or not all(parts):
        return None, "expected app.Model.field"
    label, model_name, field_name = parts
    try:
        model = apps.get_model(label, model_name)
    except (LookupError, ValueError):
        return None, f"no model {label}.{model_name} in this application"
    try:
        model_field = model._meta.get_field(field_name)
    except FieldDoesNotExist:
        return model, f"{label}.{model_name} has no field {field_name!r}"
    if not getattr(model_field, "concrete", False):
        return model, f"{label}.{model_name}.{field_name} is not a stored field"
    if label == "evaluation":
        # The measurement is where a value is asked, not a registration.
        return model, (
            "the evaluation's own records are no registration: name where the "
            "value is held before anybody asks, or 'none'"
        )
    return model, ""


def registration_problems(item: dict[str, Any]) -> list[str]:
    """Why an item's ``registration`` entry of a catalogue file is wrong."""
    answer_type = item.get("answer_type")
    entry = item.get("registration")
    if answer_type == AnswerType.GROUP:
        return (
            ["a heading holds no value: its sub-items carry the registration"]
            if entry is not None
            else []
        )
    if entry is None:
        return [
            "registration is missing (held_in: where the value is registered; "
            "route: how it reaches the dataset)"
        ]
    if not isinstance(entry, dict) or set(entry) != REGISTRATION_KEYS:
        return ["registration needs exactly 'held_in' and 'route'"]
    held_in, route = str(entry["held_in"]), str(entry["route"])
    problems = []
    if route not in Route.values:
        problems.append(f"registration route {route!r}; known: {Route.values}")
    holder = holder_of(held_in)
    if holder == Holder.APP:
        model, problem = _model_field(held_in)
        if problem:
            problems.append(f"registration held_in {held_in!r}: {problem}")
    elif holder == Holder.EXTERNAL and held_in not in external_systems():
        problems.append(
            f"registration held_in {held_in!r} is no model field and no external "
            f"registration; known: {sorted(external_systems())} or {NOWHERE!r}"
        )
    derived = str(item.get("derived_from") or "")
    if (route == Route.DERIVED) != bool(derived):
        problems.append("route 'derived' goes with derived_from, and only with it")
    if derived and holder == Holder.APP:
        match = PATH_RE.match(derived)
        expected = ROOT_MODELS.get(match["root"]) if match else None
        model, _problem = _model_field(held_in)
        if expected and model is not None and model._meta.label != expected:
            problems.append(
                f"registration held_in {held_in!r}: derived_from {derived!r} "
                f"reads {expected}"
            )
    elif derived:
        problems.append("a derived item is held in this application (app.Model.field)")
    if route == Route.EXTERNAL_LINK and holder != Holder.EXTERNAL:
        problems.append("route 'external_link' needs an external registration")
    if (route == Route.EXTERNAL_LINK) != bool(item.get("record_source")):
        problems.append(
            "route 'external_link' goes with record_source (the answer keeps "
            "the source and the date checked), and only with it"
        )
    if holder == Holder.NONE and route != Route.RESEARCHER:
        problems.append(
            "an item registered nowhere can only be entered by the researcher"
        )
    return problems


# -- the selector ---------------------------------------------------------


@dataclass
class MapEntry:
    """One item on the map."""

    item: Item
    holder: str
    held_in: str
    held_in_label: str
    route: str
    route_label: str


@dataclass
class Share:
    key: str
    label: str
    entries: list[MapEntry] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.entries)


@dataclass
class TopicMap:
    """The shares of one topic: who holds its items, how they arrive."""

    code: str
    title: str
    category: str
    entries: list[MapEntry] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.entries)

    def _shares(self, attribute: str, choices: list[tuple[str, Any]]) -> list[Share]:
        shares = {
            value: Share(f"{attribute}-{value}", str(label)) for value, label in choices
        }
        for entry in self.entries:
            shares[getattr(entry, attribute)].entries.append(entry)
        return list(shares.values())

    @property
    def holder_shares(self) -> list[Share]:
        return self._shares("holder", Holder.choices)

    @property
    def route_shares(self) -> list[Share]:
        return self._shares(
            "route", [*Route.choices, (ROUTE_UNMAPPED, Holder.UNMAPPED.label)]
        )

    def external_counts(self) -> list[tuple[str, int]]:
        counts = Counter(e.held_in for e in self.entries if e.holder == Holder.EXTERNAL)
        return [
            (system.name, counts[code])
            for code, system in external_systems().items()
            if counts[code]
        ]


@dataclass
class SiteMap:
    catalogue: CatalogueVersion
    topics: list[TopicMap]
    total: TopicMap


def map_entry(item: Item) -> MapEntry:
    """An item's place on the map, from its stored ``registered_in`` and
    ``reaches_dataset`` (the codebook reads the same)."""
    if item.answer_type == AnswerType.GROUP:
        # a heading holds no value, so it has no place on the map
        return MapEntry(item, "", "", "", "", "")
    return MapEntry(
        item=item,
        holder=holder_of(item.registered_in) or Holder.UNMAPPED,
        held_in=item.registered_in,
        held_in_label=held_in_label(item.registered_in),
        route=item.reaches_dataset or ROUTE_UNMAPPED,
        route_label=item.get_reaches_dataset_display() or str(Holder.UNMAPPED.label),
    )


def registration_map(
    catalogues: Iterable[CatalogueVersion], topics: Iterable[str] = ()
) -> list[SiteMap]:
    """Per catalogue (one per site: its current version), per topic, the
    items that take a value with who holds them and how they reach the
    dataset; ``topics`` limits the topics by code. One query for the items."""
    catalogues = list(catalogues)
    items = (
        Item.objects.filter(catalogue__in=catalogues)
        .exclude(answer_type=AnswerType.GROUP)
        .select_related("topic")
        .order_by("catalogue_id", "topic__order", "order")
    )
    if topics:
        items = items.filter(topic__code__in=list(topics))
    by_catalogue: dict[int, dict[int, TopicMap]] = {c.pk: {} for c in catalogues}
    for item in items:
        topic = item.topic
        node = by_catalogue[item.catalogue_id].setdefault(
            topic.pk,
            TopicMap(topic.code, topic.title, topic.get_category_display()),
        )
        node.entries.append(map_entry(item))
    result = []
    for catalogue in catalogues:
        nodes = list(by_catalogue[catalogue.pk].values())
        total = TopicMap("", str(_("All topics")), "")
        total.entries = [entry for node in nodes for entry in node.entries]
        result.append(SiteMap(catalogue=catalogue, topics=nodes, total=total))
    return result

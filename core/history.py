"""The audit history of one person: every historical row of the case models.

Each case model with ``history = HistoricalRecords()`` declares
``person_lookup``, the ORM path from the model to its ``Person``. The history
page reads one history table per model, so its query count depends on the
number of models, not on the amount of data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Person

HIDDEN_FIELDS = {"id", "pseudonym", "version"}


@dataclass
class HistoryEntry:
    at: Any
    user: str
    action: str
    model_label: str
    object_repr: str
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)


def audited_case_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if hasattr(model, "person_lookup") and hasattr(model, "history")
    ]


@dataclass
class _Change:
    label: str
    field: models.Field
    old: Any
    new: Any


def _changes(record: Any, previous: Any) -> list[_Change]:
    if previous is None:
        return []
    delta = record.diff_against(previous)
    meta = record.instance_type._meta
    return [
        _Change(
            label=str(meta.get_field(change.field).verbose_name),
            field=meta.get_field(change.field),
            old=change.old,
            new=change.new,
        )
        for change in delta.changes
        if change.field not in HIDDEN_FIELDS
    ]


def _readable(changes: list[_Change]) -> list[tuple[str, Any, Any]]:
    """Values as a person reads them: choice labels, related objects by name.

    Related objects are fetched in one query per related model, whatever the
    number of changes.
    """
    wanted: dict[type[models.Model], set[Any]] = {}
    for change in changes:
        if change.field.is_relation and change.field.many_to_one:
            ids = wanted.setdefault(change.field.related_model, set())
            ids.update(v for v in (change.old, change.new) if v is not None)
    names = {
        model: {pk: str(obj) for pk, obj in model._base_manager.in_bulk(ids).items()}
        for model, ids in wanted.items()
    }

    def show(field: models.Field, value: Any) -> Any:
        if value is None or value == "":
            return None
        if field.is_relation and field.many_to_one:
            return names[field.related_model].get(value, value)
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        return value

    return [
        (change.label, show(change.field, change.old), show(change.field, change.new))
        for change in changes
    ]


ACTIONS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


def _instances_with_relations(
    model: type[models.Model], records: list[Any]
) -> list[models.Model]:
    """The historical instances with their related objects loaded in bulk.

    ``__str__`` of a case model often names a related object (a stage, a
    phase, a contact); one query per relation keeps the page's query count
    independent of the number of records.
    """
    instances = [record.instance for record in records]
    for relation in model._meta.concrete_fields:
        if not (relation.is_relation and relation.many_to_one):
            continue
        ids = {getattr(i, relation.attname) for i in instances} - {None}
        related = relation.related_model._base_manager.in_bulk(ids) if ids else {}
        for instance in instances:
            found = related.get(getattr(instance, relation.attname))
            if found is not None:
                relation.set_cached_value(instance, found)
    return instances


def _object_repr(instance: models.Model) -> str:
    try:
        return str(instance)
    except ObjectDoesNotExist:
        # The row it names was deleted since; the history stays readable.
        return f"{instance._meta.verbose_name} #{instance.pk}"


def person_history(person: Person) -> list[HistoryEntry]:
    """All changes to the person and their case data, newest first."""
    entries: list[HistoryEntry] = []
    for model in audited_case_models():
        lookup = model.person_lookup
        filter_path = "id" if lookup == "pk" else f"{lookup}_id"
        records = list(
            model.history.filter(**{filter_path: person.pk})
            .select_related("history_user")
            .order_by("id", "history_date")
        )
        shown = _instances_with_relations(model, records)
        previous_by_object: dict[Any, Any] = {}
        for record, instance in zip(records, shown, strict=True):
            previous = previous_by_object.get(record.id)
            entries.append(
                HistoryEntry(
                    at=record.history_date,
                    user=record.history_user.get_username()
                    if record.history_user
                    else "",
                    action=ACTIONS.get(record.history_type, record.history_type),
                    model_label=str(model._meta.verbose_name),
                    object_repr=_object_repr(instance),
                    changes=_changes(record, previous),  # type: ignore[arg-type]
                )
            )
            previous_by_object[record.id] = record
    all_changes = [change for entry in entries for change in entry.changes]
    readable = iter(_readable(all_changes))  # type: ignore[arg-type]
    for entry in entries:
        entry.changes = [next(readable) for _change in entry.changes]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries

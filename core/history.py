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
from django.db import models

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


def _changes(record: Any, previous: Any) -> list[tuple[str, Any, Any]]:
    if previous is None:
        return []
    delta = record.diff_against(previous)
    return [
        (
            str(record.instance_type._meta.get_field(change.field).verbose_name),
            change.old,
            change.new,
        )
        for change in delta.changes
        if change.field not in HIDDEN_FIELDS
    ]


ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


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
        previous_by_object: dict[Any, Any] = {}
        for record in records:
            previous = previous_by_object.get(record.id)
            entries.append(
                HistoryEntry(
                    at=record.history_date,
                    user=record.history_user.get_username()
                    if record.history_user
                    else "",
                    action=ACTIONS.get(record.history_type, record.history_type),
                    model_label=str(model._meta.verbose_name),
                    object_repr=str(record.instance),
                    changes=_changes(record, previous),
                )
            )
            previous_by_object[record.id] = record
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries

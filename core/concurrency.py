"""Optimistic locking: two people editing the same record never overwrite
each other silently.

The convention, for any model whose edit form can be open in two browsers:

1. The model has ``version = models.PositiveIntegerField(default=1,
   editable=False)`` (add it with a migration of its own). Every save through
   a service increments it.
2. The edit form mixes in :class:`VersionedFormMixin` *before*
   ``forms.ModelForm``. It adds a hidden ``version`` field that carries the
   version the user started from.
3. The update service takes ``expected_version: int | None`` and saves with
   :func:`versioned_save` instead of ``instance.save()``, inside its
   ``transaction.atomic``::

       @transaction.atomic
       def plan_update(*, plan, data, expected_version=None) -> Plan:
           for name in PLAN_EDITABLE_FIELDS:
               setattr(plan, name, data[name])
           plan.full_clean()
           return versioned_save(
               instance=plan,
               fields=PLAN_EDITABLE_FIELDS,
               expected_version=expected_version,
           )

   ``versioned_save`` bumps the version with a filtered UPDATE (``WHERE pk =
   ... AND version = expected``); zero rows updated means someone else saved
   first, and :class:`ConcurrentEditError` is raised with one
   :class:`FieldChange` per field whose stored value differs from what this
   user submitted (when none differs, the save is a no-op and succeeds).
   Because the compare-and-set is one statement, it is safe under concurrent
   requests on PostgreSQL (row lock, WHERE re-checked) and on SQLite (writes
   are serialised). The real ``save(update_fields=...)``
   follows in the same transaction, so django-simple-history still records
   the change with its user.
4. The view catches the error and calls ``form.show_conflict(error)``: the
   form keeps everything the user typed, gets a non-field error
   (:data:`CONCURRENT_EDIT_MESSAGE`) and its hidden version moves to the
   stored one, so saving again deliberately overwrites. The template includes
   ``partials/_concurrent_edit.html`` (context: ``form``), which lists the
   field, the value now stored and the value the user submitted::

       except ConcurrentEditError as error:
           form.show_conflict(error)

Nothing is lost: the stored row is untouched by the refused save, and the
refused input is still in the form on the page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django import forms
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

M = TypeVar("M", bound=models.Model)

VERSION_FIELD = "version"

CONCURRENT_EDIT_MESSAGE = _(
    "Someone else changed this record while you were editing it. Your input "
    "has not been saved; it is still in the form below. Compare it with the "
    "stored values, then save again to keep your version."
)


@dataclass(frozen=True)
class FieldChange:
    """One field where the stored value differs from the submitted one."""

    field: str
    label: str
    stored: Any
    submitted: Any


class ConcurrentEditError(Exception):
    """A save based on an outdated version was refused."""

    def __init__(
        self, *, stored_version: int, changes: list[FieldChange], current: Any
    ) -> None:
        super().__init__(str(CONCURRENT_EDIT_MESSAGE))
        self.stored_version = stored_version
        self.changes = changes
        self.current = current


def _display(instance: models.Model, field: models.Field) -> Any:
    value = getattr(instance, field.attname)
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(field, models.ForeignKey):
        return getattr(instance, field.name)
    return value


def field_changes(
    *, stored: M, submitted: M, fields: Iterable[str]
) -> list[FieldChange]:
    """Fields among ``fields`` whose values differ between two instances."""
    changes = []
    for name in fields:
        field = stored._meta.get_field(name)
        if getattr(stored, field.attname) != getattr(submitted, field.attname):
            changes.append(
                FieldChange(
                    field=name,
                    label=str(field.verbose_name),
                    stored=_display(stored, field),
                    submitted=_display(submitted, field),
                )
            )
    return changes


def versioned_save(
    *, instance: M, fields: Iterable[str], expected_version: int | None = None
) -> M:
    """Save ``fields`` of ``instance`` if its stored version is still
    ``expected_version`` (default: the version it was loaded with).

    Must run inside the caller's ``transaction.atomic``. Raises
    :class:`ConcurrentEditError` and writes nothing when the version moved.
    """
    fields = list(fields)
    expected = instance.version if expected_version is None else expected_version
    manager = type(instance)._default_manager
    bumped = manager.filter(pk=instance.pk, version=expected).update(
        version=F(VERSION_FIELD) + 1
    )
    if not bumped:
        current = manager.get(pk=instance.pk)
        changes = field_changes(stored=current, submitted=instance, fields=fields)
        if not changes:
            # The stored row already holds exactly what was submitted: the
            # save would change nothing, so there is nothing to warn about.
            instance.version = current.version
            return instance
        raise ConcurrentEditError(
            stored_version=current.version, changes=changes, current=current
        )
    instance.version = expected + 1
    instance.save(update_fields=[*fields, VERSION_FIELD])
    return instance


class VersionedFormMixin(forms.Form):
    """Adds the hidden ``version`` field and the conflict display to a form.

    Put it before ``forms.ModelForm`` in the bases. ``cleaned_data["version"]``
    is the version the user started from; pass it to the service as
    ``expected_version`` (and leave it out of the data the service writes).
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk:
            self.fields[VERSION_FIELD].initial = instance.version
        self.concurrent_changes: list[FieldChange] = []

    @property
    def expected_version(self) -> int | None:
        return self.cleaned_data.get(VERSION_FIELD)

    def show_conflict(self, error: ConcurrentEditError) -> None:
        """Keep the user's input, explain, and arm the form to overwrite."""
        self.concurrent_changes = error.changes
        self.add_error(None, CONCURRENT_EDIT_MESSAGE)
        data = self.data.copy()
        data[self.add_prefix(VERSION_FIELD)] = str(error.stored_version)
        self.data = data

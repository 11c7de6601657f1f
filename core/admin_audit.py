"""Every change saved in the Django admin goes to the application's audit
log, with the old and the new value of each changed field (inline rows
included). ``core.admin_scoping.scope_registered_admins`` mixes this into
every registered ModelAdmin; a ModelAdmin whose saves go through services
that audit themselves sets ``audits_itself = True``.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_noop

from core.models import AuditKind
from core.services import audit_event_record

REQUEST_KEY = "_kv_admin_changes"
VALUE_LENGTH = 500


def _value(instance: models.Model, field: models.Field) -> str:
    value = getattr(instance, field.attname)
    if value is None:
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        related = getattr(instance, field.name, None)
        return str(related) if related is not None else ""
    return str(value)[:VALUE_LENGTH]


def snapshot(instance: models.Model | None) -> dict[str, str]:
    """The row's values as shown to people (choices by label, relations by
    name), many-to-many values included."""
    if instance is None or instance.pk is None:
        return {}
    meta = instance._meta
    values = {
        str(f.verbose_name): _value(instance, f)
        for f in meta.concrete_fields
        if not f.primary_key
    }
    for f in meta.many_to_many:
        values[str(f.verbose_name)] = ", ".join(
            sorted(str(o) for o in getattr(instance, f.name).all())
        )
    return values


def _stored(instance: models.Model) -> models.Model | None:
    if instance.pk is None:
        return None
    return type(instance)._base_manager.filter(pk=instance.pk).first()


def changes(old: dict[str, str], new: dict[str, str]) -> dict[str, list[str]]:
    return {
        name: [old.get(name, ""), value]
        for name, value in new.items()
        if old.get(name, "") != value
    } | {name: [value, ""] for name, value in old.items() if name not in new}


def _site_id(instance: models.Model) -> int | None:
    """The site the row belongs to, when it is exactly one."""
    from core.models import Site

    if isinstance(instance, Site):
        return instance.pk
    target: Any = instance
    for part in (getattr(type(instance), "site_lookup", None) or "-").split("__"):
        target = getattr(target, part, None)
    return target.pk if isinstance(target, Site) else None


class AuditedAdminMixin:
    """Writes one audit event per admin save (with its inlines) or delete.

    ``scope_registered_admins`` puts this mixin *before* the registered
    admin class, so ``audits_itself`` is read from the admin (``_self_audited``),
    never defined here where it would hide the admin's own value.
    """

    def _self_audited(self) -> bool:
        return bool(getattr(self, "audits_itself", False))

    def save_model(
        self, request: HttpRequest, obj: models.Model, form: Any, change: bool
    ) -> None:
        old = snapshot(_stored(obj)) if change else {}
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        request.__dict__[REQUEST_KEY] = {"obj": obj, "old": old, "inlines": []}

    def save_formset(
        self, request: HttpRequest, form: Any, formset: Any, change: bool
    ) -> None:
        before = {
            f.instance.pk: snapshot(_stored(f.instance))
            for f in formset.forms
            if f.instance.pk is not None
        }
        super().save_formset(request, form, formset, change)  # type: ignore[misc]
        record = request.__dict__.get(REQUEST_KEY)
        if record is None:
            return
        for obj in formset.new_objects:
            record["inlines"].append(
                _entry(obj, "added", changes({}, snapshot(obj)), pk=obj.pk)
            )
        for obj, _fields in formset.changed_objects:
            delta = changes(before.get(obj.pk, {}), snapshot(obj))
            if delta:
                record["inlines"].append(_entry(obj, "changed", delta, pk=obj.pk))
        for obj in formset.deleted_objects:
            old_values = before.get(obj.pk, {})
            record["inlines"].append(
                _entry(obj, "deleted", changes(old_values, {}), pk=obj.pk)
            )

    def save_related(
        self, request: HttpRequest, form: Any, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        record = request.__dict__.pop(REQUEST_KEY, None)
        if record is None or self._self_audited():
            return
        obj = record["obj"]
        delta = changes(record["old"], snapshot(obj))
        if not delta and not record["inlines"]:
            return
        _record(
            request,
            obj,
            "changed" if change else "added",
            delta,
            inlines=record["inlines"],
        )

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        if not self._self_audited():
            _record(request, obj, "deleted", changes(snapshot(obj), {}))
        super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        if not self._self_audited():
            for obj in queryset:
                _record(request, obj, "deleted", changes(snapshot(obj), {}))
        super().delete_queryset(request, queryset)  # type: ignore[misc]


def _entry(obj: models.Model, action: str, delta: dict, *, pk: Any) -> dict:
    return {
        "model": obj._meta.label_lower,
        "id": pk,
        "name": str(obj)[:200],
        "action": action,
        "changes": delta,
    }


ADMIN_ACTION_MESSAGES = {
    "added": gettext_noop("Added %(model)s %(name)s in the admin"),
    "changed": gettext_noop("Changed %(model)s %(name)s in the admin"),
    "deleted": gettext_noop("Deleted %(model)s %(name)s in the admin"),
}


def _record(
    request: HttpRequest,
    obj: models.Model,
    action: str,
    delta: dict[str, list[str]],
    inlines: list[dict] | None = None,
) -> None:
    audit_event_record(
        actor=request.user,
        kind=AuditKind.REFERENCE_CHANGE,
        site_id=_site_id(obj),
        summary=ADMIN_ACTION_MESSAGES[action],
        params={"model": obj._meta.label_lower, "name": str(obj)[:200]},
        details={**_entry(obj, action, delta, pk=obj.pk), "inlines": inlines or []},
    )

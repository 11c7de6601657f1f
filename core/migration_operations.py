"""Migration operations of the date policy (``core.dates``).

``AlterDateField`` turns a date column into a ``FactDateField`` or
``PlannedDateField``: the column gets the plausible-range CHECK for every
new or changed row, while rows stored before the policy are kept as they are
(``report_implausible_dates`` lists them; nobody's data is changed by a
migration). PostgreSQL adds the constraint ``NOT VALID``; SQLite, which
rebuilds the table to add a CHECK, copies the old rows with CHECK
constraints ignored for the copy only.
"""

from __future__ import annotations

import datetime
import logging
import sys
from typing import Any

from django.db import migrations, models
from django.utils import timezone

from core.dates import in_range

logger = logging.getLogger("kvmonitor.dates")

#: rows named per field in the audit event; the count is always complete
REPORT_LIMIT = 200


class AlterDateField(migrations.AlterField):
    """``AlterField`` that adds the range CHECK without rejecting old rows."""

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        connection = schema_editor.connection
        if connection.vendor == "sqlite":
            # SQLite rebuilds the table with the field's CHECK (``db_check``);
            # the copy of the old rows must not be refused.
            schema_editor.execute("PRAGMA ignore_check_constraints = 1")
            try:
                super().database_forwards(
                    app_label, schema_editor, from_state, to_state
                )
            finally:
                schema_editor.execute("PRAGMA ignore_check_constraints = 0")
            return
        super().database_forwards(app_label, schema_editor, from_state, to_state)
        if connection.vendor != "postgresql":
            return
        # Django compares column checks by field type only, so it adds none
        # here: add (or drop) the range CHECK itself, NOT VALID for old rows.
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(connection.alias, model):
            return
        old_field = from_state.apps.get_model(
            app_label, self.model_name
        )._meta.get_field(self.name)
        new_field = model._meta.get_field(self.name)
        old_check = old_field.db_parameters(connection)["check"]
        new_check = new_field.db_parameters(connection)["check"]
        if old_check == new_check:
            return
        table = model._meta.db_table
        name = schema_editor._create_index_name(
            table, [new_field.column], suffix="_range"
        )
        quote = schema_editor.quote_name
        schema_editor.execute(
            f"ALTER TABLE {quote(table)} DROP CONSTRAINT IF EXISTS {quote(name)}"
        )
        if new_check:
            schema_editor.execute(
                f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} "
                f"CHECK ({new_check}) NOT VALID"
            )


def implausible_dates(
    model_classes: list[type[models.Model]], today: datetime.date
) -> list[dict[str, Any]]:
    """Stored dates outside the plausible range, and facts dated after today.

    Only table, id, field and value: never a name or other content.
    """
    from core.fields import FactDateField

    found = []
    for model in model_classes:
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.DateField) or isinstance(
                field, models.DateTimeField
            ):
                continue
            is_fact = isinstance(field, FactDateField)
            rows = model._base_manager.exclude(**{f"{field.attname}__isnull": True})
            for pk, value in rows.values_list("pk", field.attname).iterator():
                if value is None:
                    continue
                if not in_range(value):
                    problem = "out_of_range"
                elif is_fact and value > today:
                    problem = "fact_in_future"
                else:
                    continue
                found.append(
                    {
                        "table": model._meta.db_table,
                        "id": pk,
                        "field": field.name,
                        "value": value.isoformat(),
                        "problem": problem,
                    }
                )
    return found


def report_implausible_dates(app_label: str) -> Any:
    """A ``RunPython`` function that reports (never changes) implausible dates
    of ``app_label``'s models: printed, logged and kept in the audit log."""

    def report(apps: Any, schema_editor: Any) -> None:
        # History rows are copies of what was saved: the record itself is
        # what needs correcting.
        model_classes = [
            model
            for model in apps.get_app_config(app_label).get_models()
            if model._meta.managed
            and not model._meta.proxy
            and not any(f.name == "history_id" for f in model._meta.fields)
        ]
        found = implausible_dates(model_classes, timezone.localdate())
        if not found:
            return
        lines = [
            f"{row['table']} id={row['id']} {row['field']}={row['value']} "
            f"({row['problem']})"
            for row in found
        ]
        message = (
            f"{len(found)} stored dates of {app_label} break the date policy "
            "(kept as they are; correct them by hand):"
        )
        logger.info("%s\n%s", message, "\n".join(lines))
        sys.stdout.write(f"\n  {message}\n    " + "\n    ".join(lines) + "\n")
        AuditEvent = apps.get_model("core", "AuditEvent")
        AuditEvent.objects.using(schema_editor.connection.alias).create(
            kind="data_check",
            summary=message[:300],
            details={"count": len(found), "rows": found[:REPORT_LIMIT]},
        )

    return report

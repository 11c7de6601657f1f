"""Model date fields of the one date policy (see ``core.dates``).

Every date field of every model is one of these two (a test enumerates the
models): the field says whether its date is a fact, which cannot lie in the
future, or a planned date, which may. Both keep the date within the
plausible range, in ``full_clean`` and in the database (a CHECK on the
column, so a bulk insert or a raw update cannot store one either).
"""

from __future__ import annotations

from typing import Any

from django.db import models

from core.dates import (
    EARLIEST_DATE,
    LATEST_DATE,
    PlausibleDateFormField,
    validate_not_in_future,
    validate_plausible_date,
)


class PlannedDateField(models.DateField):
    """A date within the plausible range; it may lie in the future."""

    default_validators = [validate_plausible_date]

    def db_check(self, connection: Any) -> str:
        column = connection.ops.quote_name(self.column)
        return (
            f"{column} >= '{EARLIEST_DATE.isoformat()}' "
            f"AND {column} <= '{LATEST_DATE.isoformat()}'"
        )

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"form_class": PlausibleDateFormField, **kwargs})


class FactDateField(PlannedDateField):
    """The date of something that happened: within the range and not after today."""

    default_validators = [validate_plausible_date, validate_not_in_future]

"""Model date fields of the one date policy (see ``core.dates``), and the
abstract base of every model that is a period of two of them.

Every date field of every model is one of these two (a test enumerates the
models): the field says whether its date is a fact, which cannot lie in the
future, or a planned date, which may. Both keep the date within the
plausible range, in ``full_clean`` and in the database (a CHECK on the
column, so a bulk insert or a raw update cannot store one either).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.dates import (
    EARLIEST_DATE,
    LATEST_DATE,
    Errors,
    PlausibleDateFormField,
    check_not_before,
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


class DatedPeriod(models.Model):
    """A period from ``started_on`` until ``ended_on`` (empty: it still runs).

    The end never lies before the start: ``check_period`` says so on
    ``ended_on`` in ``clean()``, and ``end_after_start`` is the same rule as
    a CHECK in the database. A model may give a field its own label or make
    the start a planned date (a job that begins later) by declaring it again.
    """

    started_on = FactDateField(_("from"))
    ended_on = PlannedDateField(_("until"), null=True, blank=True)

    class Meta:
        abstract = True

    @staticmethod
    def end_after_start(name: str) -> models.CheckConstraint:
        """The database's copy of the rule; ``name`` is the model's own
        constraint name (the names predate this base and stay)."""
        return models.CheckConstraint(
            condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
            name=name,
        )

    def check_period(self, errors: Errors) -> None:
        check_not_before(
            errors, field="ended_on", value=self.ended_on, start=self.started_on
        )

"""Date rules shared by the ``clean()`` methods of case models.

Every CheckConstraint on a case model has a matching check in ``clean()``
that puts one of these messages on the field, so a form never shows the
database's "constraint ... is violated" with the constraint's name.

Facts that happened (an outflow, an incident, a review held, an activity
done) cannot lie in the future. Dates that announce something (an expected
end, a next review, a due date, the start of a job that is agreed but has
not begun yet) may.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import day_text

END_BEFORE_START = _("This date cannot be before %(day)s.")
DATE_IN_FUTURE = _(
    "This date lies in the future (today is %(today)s). Record it once it has happened."
)

Errors = dict[str, ValidationError]


def check_not_before(
    errors: Errors,
    *,
    field: str,
    value: datetime.date | None,
    start: datetime.date | None,
    message: object = END_BEFORE_START,
) -> None:
    """Add an error on ``field`` when ``value`` lies before ``start``."""
    if field in errors or value is None or start is None:
        return
    if value < start:
        errors[field] = ValidationError(
            message, code="before_start", params={"day": day_text(start)}
        )


def check_not_in_future(
    errors: Errors, *, field: str, value: datetime.date | None
) -> None:
    """Add an error on ``field`` when ``value`` lies after today."""
    today = timezone.localdate()
    if value is not None and value > today and field not in errors:
        errors[field] = ValidationError(
            DATE_IN_FUTURE, code="in_future", params={"today": day_text(today)}
        )


def raise_if(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)

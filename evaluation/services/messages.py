"""The error texts the measurement services give."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

MEASUREMENT_LOCKED = _(
    "This measurement is complete and locked. Reopen it, with a reason, to change it."
)
MEASUREMENT_CANCELLED = _("This measurement was cancelled when the schedule changed.")
REOPEN_REASON_REQUIRED = _("Give a reason for reopening this measurement.")
REOPEN_NOT_LOCKED = _("Only a completed measurement can be reopened.")
NO_CATALOGUE = _("No indicator catalogue is loaded for %(site)s.")
VALUE_AND_MISSING = _(
    "%(item)s: give either a value or a reason it is missing, not both."
)
SOURCE_REQUIRED = _("%(item)s: give the source and the date it was checked.")
CANNOT_COMPLETE = _(
    "The measurement was not completed: every item needs a value or a reason "
    "it is missing. Without either: %(items)s."
)
ITEM_NEEDS_VALUE_OR_REASON = _("Give a value or a reason it is missing.")
OUT_OF_RANGE = _("%(item)s: give a number from %(min)s to %(max)s %(unit)s.")
NOT_CALLED_FOR = _(
    "%(item)s: only answer this when '%(above)s' is '%(answer)s'; "
    "leave it empty or change the answer above."
)
REASON_WITH_YES = _("%(item)s: a reason why not only goes with the answer 'no'.")
REASON_REQUIRED = _("%(item)s: the answer is 'no'; give the reason why not.")
UNKNOWN_GROUP = _("Unknown respondent group: %(group)s.")
GROUP_INCOMPLETE = _(
    "The measurement was not completed: the answers of %(group)s still need a "
    "value or a reason it is missing for: %(items)s."
)

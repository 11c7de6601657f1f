"""A person's status on the person list (in the KV, in intake, ...).

Each app declares the statuses it knows on its AppConfig (``person_statuses``,
see core/registry.py), so core reads intake and stays without importing them.
"""

from __future__ import annotations

from django.db.models import Case, CharField, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from core.models import Person
from core.registry import person_statuses

REGISTERED = "registered"


def person_status_choices() -> list[tuple[str, str]]:
    """(code, label) of every status a person can have, most advanced first."""
    return [(s.code, s.label) for s in person_statuses()] + [
        (REGISTERED, _("registered only"))
    ]


def with_status(people: QuerySet[Person]) -> QuerySet[Person]:
    """``people`` annotated with ``status``: the code of the highest-priority
    status that holds (in the KV, in intake, ...), in the same query."""
    whens = [When(s.condition, then=Value(s.code)) for s in person_statuses()]
    return people.annotate(
        status=Case(*whens, default=Value(REGISTERED), output_field=CharField())
    )

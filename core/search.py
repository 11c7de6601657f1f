"""Finding people from the header search.

``search_people`` is the one place the header search matches people. It has
the signature of the bounded person search on the "inputs" branch
(``core.selectors.person_search``); when that is merged, this function's body
becomes ``return person_search(queryset, text, researcher=researcher,
path=path)`` and nothing else changes.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

MAX_SEARCH_WORDS = 8
NAME_FIELDS = ("first_name", "last_name", "dji_number")
RESEARCH_FIELDS = ("pseudonym",)


def search_people(
    queryset: QuerySet, text: str, *, researcher: bool, path: str = ""
) -> QuerySet:
    """Rows of an already scoped ``queryset`` whose person matches ``text``:
    every word (at most eight) in the first name, last name or DJI number, so
    "Voornaam Achternaam" and "Achternaam, Voornaam" both find the person; a
    researcher matches on the pseudonym only, never on a name or DJI number.
    ``path`` leads from the queryset's model to the person ("person__")."""
    fields = RESEARCH_FIELDS if researcher else NAME_FIELDS
    for word in text.replace(",", " ").split()[:MAX_SEARCH_WORDS]:
        match = Q()
        for field in fields:
            match |= Q(**{f"{path}{field}__icontains": word})
        queryset = queryset.filter(match)
    return queryset

"""Bijlage 7 (tables B7.1-B7.3 and the counts in the text of B7.2 and
B7.3.1) computed from registered data for any site.

The rows are data (``fixtures/reference/b7.yaml``); how a row is counted is a
small registry of source kinds, so a new row is a line in the file, not code.
Every row has one source, described in its ``bron``; every number opens the
people behind it (the count, and the N of its section).

One module per concept: ``definition`` (the rows as data), ``results``
(the result types), ``registered`` (the data counted), ``sources`` (how a
row and a section's N are counted) and ``tables`` (``b7_tables``). This
``__init__`` re-exports the public names.
"""

from dashboards.b7.definition import (
    B7_FILE,
    b7_definition,
)
from dashboards.b7.registered import (
    Registered,
    participant_stays,
)
from dashboards.b7.results import (
    B7Result,
    B7Row,
    B7Section,
    B7Table,
    Participants,
)
from dashboards.b7.sources import (
    POPULATIONS,
    SOURCES,
)
from dashboards.b7.tables import (
    b7_tables,
    duration_phrase,
)

__all__ = [
    "B7_FILE",
    "POPULATIONS",
    "SOURCES",
    "B7Result",
    "B7Row",
    "B7Section",
    "B7Table",
    "Participants",
    "Registered",
    "b7_definition",
    "b7_tables",
    "duration_phrase",
    "participant_stays",
]

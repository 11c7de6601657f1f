"""Notes in the reference data cite the report by line ("(report L3008)",
"L543-545") and say how a date was chosen ("valid_from = ..."). Those notes
are for the functional administrator who checks the data against the report;
everyone else reads the same note without them.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

# A reference in brackets, as in "(report L3016-3017)" or "(voetnoot 3, L2188)".
_REFERENCE_IN_BRACKETS = re.compile(r"\s*\([^()]*\bL\d{2,5}[^()]*\)")
_LINE_REFERENCE = re.compile(r"\b(?:report\s+)?L(\d{2,5}(?:-\d{1,5})?)\b")
_SENTENCE_END = re.compile(r"(?<=[.;])\s+")
# What only makes sense next to the data: a line reference left outside
# brackets, an internal code, or a note on how a value was chosen ("x = y").
_CURATION = re.compile(r"\bL\d{2,5}\b|\b[a-z]+(?:_[a-z0-9]+)+\b|\s=\s")


def for_readers(text: str) -> str:
    """The note without line references and without sentences about how the
    data was transcribed."""
    text = _REFERENCE_IN_BRACKETS.sub("", text or "")
    sentences = [
        sentence
        for sentence in _SENTENCE_END.split(text)
        if sentence.strip() and not _CURATION.search(sentence)
    ]
    joined = " ".join(sentences).strip()
    if joined.endswith(";"):
        joined = joined[:-1] + "."
    return joined


def for_administrators(text: str) -> str:
    """The whole note, its line references and field names in Dutch."""
    text = _LINE_REFERENCE.sub(
        lambda match: _("report line %(lines)s") % {"lines": match.group(1)},
        text or "",
    )
    return text.replace("valid_from", _("valid from"))

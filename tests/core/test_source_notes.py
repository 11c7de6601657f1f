"""Reference notes read without report line references, except for the
functional administrator who checks the data against the report."""

from __future__ import annotations

from django.utils import translation

from core.source_notes import for_administrators, for_readers

CAUSE = (
    "Geen officiële opening, maar vanaf januari 2021 is ontvangen mogelijk "
    "(report L3016-3017); eerste instroom februari 2021 (report L3030). "
    "Startdatum = 1e dag van de genoemde maand januari 2021. "
    "alm_v1_in_09 staat niet in de lijst (L458-459)."
)


def test_readers_get_the_note_without_references_and_transcription_notes():
    assert for_readers(CAUSE) == (
        "Geen officiële opening, maar vanaf januari 2021 is ontvangen mogelijk; "
        "eerste instroom februari 2021."
    )


def test_administrators_get_every_reference_in_dutch():
    with translation.override("nl"):
        text = for_administrators(CAUSE + " valid_from = start januari 2021.")
    assert "rapport r. 3016-3017" in text
    assert "rapport r. 458-459" in text
    assert "geldig vanaf = start januari 2021" in text
    assert "report" not in text

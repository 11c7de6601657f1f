"""This app's part of a person's data-subject access document
(core.subject_access): every record of the person it holds."""

from __future__ import annotations

from core.models import Person
from core.subject_access import Section, person_model_sections


def sections(person: Person) -> list[Section]:
    return person_model_sections("evaluation", person)

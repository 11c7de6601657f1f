"""The data-subject access document (AVG art. 15, "inzageverzoek"): for one
person, everything held on them, the change history, who read their file,
and the earlier documents handed out; as one workbook.

Each app contributes its own part through its AppConfig
(``subject_access_sections``, see ``core.registry``): dotted paths of
``sections(person) -> list[Section]`` functions. ``model_section`` turns a
queryset into a section with every field, so an app lists its querysets and
nothing more. Core never imports the other apps.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from core import history
from core.models import AuditKind, Person, ReadAccess, SubjectAccessDisclosure
from core.registry import dotted
from core.services import audit_event_record
from core.spreadsheets import cell_value

SHEET_NAME_LENGTH = 31
BOLD = Font(bold=True)
SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


@dataclass
class Section:
    """One table of the document: a title, column headers and rows."""

    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    model_label: str = ""


def _readable(instance: models.Model, model_field: models.Field) -> Any:
    value = getattr(instance, model_field.attname)
    if value is None or value == "":
        return ""
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation:
        related = getattr(instance, model_field.name)
        return str(related) if related is not None else ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, dict | list):
        return str(value)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name
    return value


def model_section(
    queryset: models.QuerySet, *, title: str = "", exclude: Iterable[str] = ()
) -> Section:
    """Every concrete field of every row of ``queryset``, values as a person
    reads them (choice labels, related objects by name)."""
    model = queryset.model
    skipped = {"version", *exclude}
    fields = [
        f
        for f in model._meta.concrete_fields
        if f.name not in skipped and not f.primary_key
    ]
    related = [f.name for f in fields if f.is_relation]
    rows = [
        [_readable(row, f) for f in fields]
        for row in queryset.select_related(*related).order_by("pk")
    ]
    return Section(
        title=title or str(model._meta.verbose_name_plural),
        columns=[str(f.verbose_name) for f in fields],
        rows=rows,
        model_label=model._meta.label_lower,
    )


def person_sections(person: Person) -> list[Section]:
    """Core's own part: the person's registration."""
    return [
        model_section(
            Person.objects.filter(pk=person.pk), title=_("Registered details")
        )
    ]


def _history_section(person: Person) -> Section:
    rows = []
    for entry in history.person_history(person):
        changes = "; ".join(
            f"{label}: {old if old is not None else '-'} -> "
            f"{new if new is not None else '-'}"
            for label, old, new in entry.changes
        )
        rows.append(
            [
                timezone.localtime(entry.at).replace(tzinfo=None),
                entry.user,
                str(entry.action),
                entry.model_label,
                entry.object_repr,
                changes,
            ]
        )
    return Section(
        title=_("Change history"),
        columns=[
            _("When"),
            _("Who"),
            _("Action"),
            _("Record"),
            _("Name"),
            _("Changes"),
        ],
        rows=rows,
    )


def _read_log_section(person: Person) -> Section:
    reads = ReadAccess.objects.filter(person=person).order_by("at", "pk")
    return Section(
        title=_("Who looked at the file"),
        columns=[_("When"), _("Who"), _("Record"), _("Page"), _("Address")],
        rows=[
            [
                timezone.localtime(read.at).replace(tzinfo=None),
                read.username,
                read.object_label,
                read.path,
                read.address or "",
            ]
            for read in reads.iterator()
        ],
    )


def _disclosures_section(person: Person) -> Section:
    return Section(
        title=_("Access documents handed out"),
        columns=[_("When"), _("Produced by"), _("Handed to"), _("Note")],
        rows=[
            [
                timezone.localtime(d.created_at).replace(tzinfo=None),
                d.created_by_username,
                d.recipient,
                d.note,
            ]
            for d in SubjectAccessDisclosure.objects.filter(person=person).order_by(
                "created_at"
            )
        ],
    )


def subject_access_sections(person: Person) -> list[Section]:
    """Every app's part, then the history, the read log and earlier
    documents."""
    sections: list[Section] = []
    for contribute in dotted("subject_access_sections"):
        sections.extend(contribute(person))
    sections += [
        _history_section(person),
        _read_log_section(person),
        _disclosures_section(person),
    ]
    return sections


def _sheet_name(title: str, taken: set[str]) -> str:
    base = title.translate(SHEET_NAME_FORBIDDEN).strip()[:SHEET_NAME_LENGTH] or "-"
    name, number = base, 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name = base[: SHEET_NAME_LENGTH - len(suffix)] + suffix
        number += 1
    taken.add(name.lower())
    return name


def subject_access_workbook(
    *, person: Person, sections: list[Section], cover: list[tuple[str, Any]]
) -> bytes:
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    overview = workbook.create_sheet(_sheet_name(_("Overview"), taken))
    for label, value in cover:
        overview.append([cell_value(label), cell_value(value)])
    overview.append([])
    overview.append([_("Part"), _("Rows")])
    for section in sections:
        overview.append([cell_value(section.title), len(section.rows)])
    for section in sections:
        sheet = workbook.create_sheet(_sheet_name(section.title, taken))
        header = []
        for column in section.columns:
            cell = WriteOnlyCell(sheet, value=cell_value(column))
            cell.font = BOLD
            header.append(cell)
        sheet.append(header)
        for row in section.rows:
            sheet.append([cell_value(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@transaction.atomic
def subject_access_produce(
    *, person: Person, by: AbstractBaseUser, recipient: str, note: str = ""
) -> tuple[SubjectAccessDisclosure, bytes]:
    """Build the document for ``person``, record who produced it and who
    receives it, and audit it. Returns the record and the .xlsx bytes."""
    disclosure = SubjectAccessDisclosure.objects.create(
        person=person,
        site=person.site,
        created_by=by,
        created_by_username=by.get_username(),
        recipient=recipient.strip(),
        note=note.strip(),
    )
    sections = subject_access_sections(person)
    cover = [
        (_("Data-subject access document (AVG article 15)"), ""),
        (_("Person"), f"{person.first_name} {person.last_name}"),
        (_("Site"), person.site.name),
        (
            _("Produced at"),
            timezone.localtime(disclosure.created_at).replace(tzinfo=None),
        ),
        (_("Produced by"), by.get_username()),
        (_("Handed to"), disclosure.recipient),
        (_("Note"), disclosure.note),
    ]
    content = subject_access_workbook(person=person, sections=sections, cover=cover)
    audit_event_record(
        actor=by,
        kind=AuditKind.SUBJECT_ACCESS,
        site=person.site,
        summary=gettext_noop(
            "Produced a data-subject access document for %(pseudonym)s"
        ),
        params={"pseudonym": person.pseudonym},
        details={
            "person": person.pseudonym,
            "recipient": disclosure.recipient,
            "sections": {s.title: len(s.rows) for s in sections},
        },
    )
    return disclosure, content


def person_model_sections(app_label: str, person: Person) -> list[Section]:
    """A section for every model of ``app_label`` that holds a person's data
    (it declares ``person_lookup``), with that person's rows. An app's
    ``subject_access_sections`` function usually returns just this."""
    from django.apps import apps

    sections = []
    for model in apps.get_app_config(app_label).get_models():
        lookup = getattr(model, "person_lookup", None)
        if lookup is None or hasattr(model, "instance_type"):  # history tables
            continue
        rows = model._default_manager.filter(**{lookup: person.pk})
        sections.append(model_section(rows))
    return sections

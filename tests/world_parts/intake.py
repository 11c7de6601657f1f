"""Intake objects behind case_pk (with a process) and import_pk."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.base import ContentFile

from core.models import Site
from intake.models import ImportBatch, ImportKind
from tests.factories import UserFactory
from tests.factories.intake import simple_process


def build(site: Site, marker: str, world: dict[str, Any]) -> None:
    process = simple_process(site)
    case = world["_case"]
    case.process = process
    case.entry_route = process.entry_routes.get(code="referral")
    case.referring_person = f"Verwijzer{marker}"
    case.save(update_fields=["process", "entry_route", "referring_person"])
    batch = ImportBatch(
        site=site,
        kind=ImportKind.DJI_LIST,
        entry_route=process.entry_routes.get(code="dji_list"),
        list_date=datetime.date(2020, 3, 1),
        original_name=f"lijst{marker}.csv",
        uploaded_by=UserFactory(),
        row_count=1,
    )
    content = (
        "dji_number,last_name,first_name,date_of_birth,gender\n"
        f"IMP{marker},Lijst{marker},Jan,1980-01-01,M\n"
    )
    batch.file.save(batch.original_name, ContentFile(content.encode()), save=False)
    batch.save()
    world["import_pk"] = batch.pk

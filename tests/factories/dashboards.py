"""Factories for the dashboards app."""

from __future__ import annotations

import datetime

import factory
from factory.django import DjangoModelFactory

from dashboards.models import ExportFormat, ExportJob, ExportStatus


class ExportJobFactory(DjangoModelFactory[ExportJob]):
    class Meta:
        model = ExportJob
        skip_postgeneration_save = True

    format = ExportFormat.XLSX
    status = ExportStatus.DONE
    filters = factory.LazyFunction(
        lambda: {
            "site_ids": [],
            "start": datetime.date(2020, 1, 1).isoformat(),
            "end": datetime.date(2020, 12, 31).isoformat(),
            "moments": [],
            "topics": [],
            "date_shift": False,
        }
    )

    @factory.post_generation
    def sites(obj, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            obj.sites.set(extracted)
            obj.filters = {**obj.filters, "site_ids": [s.pk for s in extracted]}
            obj.save(update_fields=["filters"])

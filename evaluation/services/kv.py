"""KV-level measurements (interview topics per period)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from core.models import Site
from evaluation.catalogue import current_catalogue
from evaluation.models import (
    KvMeasurement,
)
from evaluation.services.messages import NO_CATALOGUE


@transaction.atomic
def kv_measurement_create(
    *, site: Site, period_start: datetime.date, period_end: datetime.date
) -> KvMeasurement:
    """Open a KV-level measurement (interview topics) for a period."""
    catalogue = current_catalogue(site)
    if catalogue is None:
        raise ValidationError(
            NO_CATALOGUE, code="no_catalogue", params={"site": site.name}
        )
    kv_measurement = KvMeasurement(
        site=site,
        catalogue=catalogue,
        period_start=period_start,
        period_end=period_end,
    )
    kv_measurement.full_clean()
    kv_measurement.save()
    return kv_measurement

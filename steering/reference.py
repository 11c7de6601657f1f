"""Loads kinds of meeting, forecasts and warning rules from
``fixtures/reference/steering.yaml``.

Kinds are matched on (site, code), forecast versions on (site, version);
a version entered in the application with a higher number is kept. Entries
for sites that are not in the database are skipped.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from core.models import Site
from steering.models import ForecastAlertRule, ForecastVersion, MeetingKind

FORECAST_FIGURES = (
    "candidates_per_year",
    "intakes_per_year",
    "placements_per_year",
    "occupancy",
)


def steering_file() -> Path:
    return Path(settings.BASE_DIR) / "fixtures" / "reference" / "steering.yaml"


def _read(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict) or not isinstance(data.get("sites"), list):
        raise ValidationError(f"{path}: expected a mapping with a 'sites' list.")
    return data


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


@transaction.atomic
def steering_load(*, data: dict[str, Any] | None = None) -> list[MeetingKind]:
    """Create or update every site's kinds of meeting, forecasts and rule."""
    data = data if data is not None else _read(steering_file())
    sites = {site.code: site for site in Site.objects.all()}
    default_rule = data.get("forecast_alert_default") or {}
    kinds = []
    for entry in data["sites"]:
        site = sites.get(entry["site"])
        if site is None:
            continue
        for order, kind_data in enumerate(entry.get("meeting_kinds") or []):
            kind, _created = MeetingKind.objects.update_or_create(
                site=site,
                code=kind_data["code"],
                defaults={
                    "name": _text(kind_data["name"]),
                    "frequency": _text(kind_data.get("frequency")),
                    "report_lines": _text(kind_data.get("report_lines")),
                    "order": order,
                },
            )
            kind.full_clean()
            kinds.append(kind)
        for version_data in entry.get("forecasts") or []:
            version, _created = ForecastVersion.objects.update_or_create(
                site=site,
                version=version_data["version"],
                defaults={
                    "valid_from": _date(version_data["valid_from"]),
                    "source": _text(version_data["source"]),
                    "basis": _text(version_data["basis"]),
                    "report_lines": _text(version_data.get("report_lines")),
                    **{name: version_data.get(name) for name in FORECAST_FIGURES},
                },
            )
            version.full_clean()
        rule = {**default_rule, **(entry.get("forecast_alert") or {})}
        if rule:
            # the file gives the starting rule; a project leader's change stays
            alert, created = ForecastAlertRule.objects.get_or_create(
                site=site, defaults=rule
            )
            if created:
                alert.full_clean()
    return kinds

"""Loads the site reference data from ``fixtures/reference/sites.yaml``.

Rows are matched on natural keys (site code, place type code, criteria
version number, criterion code), so loading twice changes nothing and a
corrected file updates rows in place. Criteria versions that screenings
already refer to are kept; a changed criteria set is a new version.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from core.models import (
    CapacityPeriod,
    CriteriaVersion,
    Criterion,
    PlaceType,
    Site,
    SiteStatusPeriod,
)

SITES_FILE = Path(settings.BASE_DIR) / "fixtures" / "reference" / "sites.yaml"

SITE_FIELDS = (
    "name",
    "alias",
    "host_pi",
    "location",
    "security_level",
    "region",
    "regional_tie_rule",
    "legal_status",
    "legal_basis",
    "gender",
    "sentence_bound_kind",
    "sentence_min_months",
    "sentence_max_months",
    "stay_min_months",
    "stay_max_months",
    "individual_plan_name",
    "report_lines",
)


def _date(value: Any) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def load_sites_file(path: Path = SITES_FILE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict) or not isinstance(data.get("sites"), list):
        raise ValidationError(f"{path}: expected a mapping with a 'sites' list.")
    return data


@transaction.atomic
def sites_load(*, data: dict[str, Any] | None = None) -> list[Site]:
    """Create or update every site in the reference file."""
    data = data if data is not None else load_sites_file()
    sites = []
    for entry in data["sites"]:
        site, _created = Site.objects.update_or_create(
            code=entry["code"],
            defaults={
                field: entry.get(field)
                if field.endswith("_months")
                else _text(entry.get(field))
                for field in SITE_FIELDS
            },
        )
        site.full_clean()
        _load_statuses(site, entry.get("statuses") or [])
        _load_capacity(site, entry)
        _load_criteria(site, entry.get("criteria_versions") or [])
        sites.append(site)
    return sites


def _load_statuses(site: Site, statuses: list[dict[str, Any]]) -> None:
    site.status_periods.all().delete()
    for status in statuses:
        period = SiteStatusPeriod(
            site=site,
            status=status["status"],
            start=_date(status["start"]),
            end=_date(status.get("end")),
            cause=_text(status.get("cause")),
        )
        period.full_clean()
        period.save()


def _load_capacity(site: Site, entry: dict[str, Any]) -> None:
    place_types = {}
    for place_type_data in entry.get("place_types") or []:
        place_type, _created = PlaceType.objects.update_or_create(
            site=site,
            code=place_type_data["code"],
            defaults={
                "name": _text(place_type_data["name"]),
                "security_level": place_type_data.get("security_level")
                or site.security_level,
            },
        )
        place_types[place_type.code] = place_type
    CapacityPeriod.objects.filter(place_type__site=site).delete()
    for row in entry.get("capacity") or []:
        period = CapacityPeriod(
            place_type=place_types[row["place_type"]],
            places=row["places"],
            valid_from=_date(row["valid_from"]),
            valid_to=_date(row.get("valid_to")),
            planned=bool(row.get("planned", False)),
            note=_text(row.get("note")),
        )
        period.full_clean()
        period.save()


def _load_criteria(site: Site, versions: list[dict[str, Any]]) -> None:
    for version_data in versions:
        version, _created = CriteriaVersion.objects.update_or_create(
            site=site,
            version=version_data["version"],
            defaults={
                "valid_from": _date(version_data["valid_from"]),
                "note": _text(version_data.get("note")),
            },
        )
        for order, criterion_data in enumerate(version_data.get("criteria") or []):
            Criterion.objects.update_or_create(
                version=version,
                code=criterion_data["code"],
                defaults={
                    "kind": criterion_data["kind"],
                    "hard": bool(criterion_data.get("hard", True)),
                    "text": _text(criterion_data["text"]),
                    "report_lines": _text(criterion_data.get("report_lines")),
                    "order": order,
                },
            )

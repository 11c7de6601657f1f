"""Loads organisations, responsibility tables and required consents from
``fixtures/reference/partners.yaml``.

Organisations are matched on name, tables on (site, number); a table's rows
are replaced as a whole, so the page always shows the file as written.
Entries for sites that are not in the database are skipped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from core.models import Site
from partners.models import (
    AgreedRole,
    CaseRole,
    Organisation,
    PartnerResponsibility,
    RequiredConsent,
    ResponsibilityTable,
)


def partners_file() -> Path:
    return Path(settings.BASE_DIR) / "fixtures" / "reference" / "partners.yaml"


def _read(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict) or "responsibility_tables" not in data:
        raise ValidationError(f"{path}: expected 'responsibility_tables'.")
    return data


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


@transaction.atomic
def partners_load(*, data: dict[str, Any] | None = None) -> list[ResponsibilityTable]:
    """Create or update organisations, responsibility tables and consents."""
    data = data if data is not None else _read(partners_file())
    sites = {site.code: site for site in Site.objects.all()}
    organisations = {}
    for entry in data.get("organisations") or []:
        organisation, _created = Organisation.objects.update_or_create(
            name=entry["name"], defaults={"kind": entry["kind"]}
        )
        organisation.full_clean()
        organisation.sites.set(
            [sites[code] for code in entry.get("sites") or [] if code in sites]
        )
        organisations[organisation.name] = organisation
    for entry in data.get("required_consents") or []:
        site = sites.get(entry["site"])
        if site is not None:
            RequiredConsent.objects.update_or_create(
                site=site,
                kind=entry["kind"],
                defaults={
                    "text": _text(entry.get("text")),
                    "scope": _text(entry.get("scope")),
                    "before_placement": bool(entry.get("before_placement", True)),
                    "report_lines": _text(entry.get("report_lines")),
                },
            )
    _agreed_roles_load(data, sites, organisations)
    tables = []
    for entry in data["responsibility_tables"]:
        site = sites.get(entry["site"])
        if site is None:
            continue
        table, _created = ResponsibilityTable.objects.update_or_create(
            site=site,
            number=str(entry["number"]),
            defaults={
                "title": _text(entry["title"]),
                "intake_heading": _text(entry.get("intake_heading")),
                "execution_heading": _text(entry["execution_heading"]),
                "report_lines": _text(entry.get("report_lines")),
                "note": _text(entry.get("note")),
            },
        )
        table.rows.all().delete()
        for order, row in enumerate(entry.get("rows") or []):
            name = row.get("organisation")
            if name and name not in organisations:
                raise ValidationError(
                    f"partners.yaml, table {table.number}: unknown organisation {name}"
                )
            PartnerResponsibility.objects.create(
                table=table,
                order=order,
                partner=_text(row["partner"]),
                organisation=organisations.get(name) if name else None,
                intake=_text(row.get("intake")),
                execution=_text(row.get("execution")),
                note=_text(row.get("note")),
            )
        tables.append(table)
    return tables


def _agreed_roles_load(
    data: dict[str, Any], sites: dict[str, Site], organisations: dict[str, Organisation]
) -> None:
    for entry in data.get("agreed_roles") or []:
        site = sites.get(entry["site"])
        if site is None:
            continue
        organisation = organisations.get(entry["organisation"])
        if organisation is None or not organisation.serves(site):
            raise ValidationError(
                f"partners.yaml, agreed role {entry['site']}/{entry['role']}: "
                f"{entry['organisation']} is no organisation of the site"
            )
        agreed, _created = AgreedRole.objects.update_or_create(
            site=site,
            role=entry["role"],
            defaults={
                "organisation": organisation,
                "report_lines": _text(entry.get("report_lines")),
            },
        )
        agreed.full_clean()
    case_roles_agreed_backfill(agreed_role_model=AgreedRole, case_role_model=CaseRole)


def case_roles_agreed_backfill(*, agreed_role_model: Any, case_role_model: Any) -> int:
    """Case roles recorded before their site agreed who plays the role get
    that organisation as agreed one, and as the one playing it when none was
    given. Takes the model classes so a data migration can run it too."""
    changed = 0
    for site_id, role, organisation_id in agreed_role_model.objects.values_list(
        "site_id", "role", "organisation_id"
    ):
        roles = case_role_model.objects.filter(
            person__site_id=site_id, role=role, agreed_organisation__isnull=True
        )
        changed += roles.filter(organisation__isnull=True).update(
            organisation_id=organisation_id, agreed_organisation_id=organisation_id
        )
        changed += roles.update(agreed_organisation_id=organisation_id)
    return changed

"""Loads per-site plan forms, goal catalogues, phases and work rules from
``fixtures/reference/plans.yaml``.

Rows are matched on natural keys (domain code, site code, phase code, rule
kind), so loading twice changes nothing and a corrected file updates rows in
place. Entries for sites that are not in the database are skipped.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from core.models import PlaceType, Site
from trajectories.models import (
    CONFIGURABLE_PLAN_FIELDS,
    GoalDomain,
    LegalTitle,
    PlanFormDefinition,
    ProgrammePhase,
    StayStepDefinition,
    WorkRule,
)


def plans_file() -> Path:
    return Path(settings.BASE_DIR) / "fixtures" / "reference" / "plans.yaml"


def _read(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict) or not isinstance(data.get("sites"), list):
        raise ValidationError(f"{path}: expected a mapping with a 'sites' list.")
    return data


def _check_fields(site_code: str, specs: list[dict[str, Any]]) -> None:
    unknown = [
        s.get("name") for s in specs if s.get("name") not in CONFIGURABLE_PLAN_FIELDS
    ]
    if unknown:
        raise ValidationError(f"plans.yaml, {site_code}: unknown plan fields {unknown}")


@transaction.atomic
def plans_load(*, data: dict[str, Any] | None = None) -> list[PlanFormDefinition]:
    """Create or update goal domains and every site's plan form definition."""
    data = data if data is not None else _read(plans_file())
    domains = {}
    for order, entry in enumerate(data.get("goal_domains") or []):
        domain, _created = GoalDomain.objects.update_or_create(
            code=entry["code"],
            defaults={
                "framework": entry["framework"],
                "name": str(entry["name"]).strip(),
                "order": order,
                "report_lines": str(entry.get("report_lines") or ""),
            },
        )
        domain.full_clean()
        domains[domain.code] = domain
    sites = {site.code: site for site in Site.objects.all()}
    loaded = []
    for entry in data["sites"]:
        site = sites.get(entry["site"])
        if site is None:
            continue
        _check_fields(site.code, entry.get("fields") or [])
        legal_title = entry.get("default_legal_title") or ""
        if legal_title and legal_title not in LegalTitle.values:
            raise ValidationError(f"plans.yaml, {site.code}: unknown {legal_title}")
        definition, _created = PlanFormDefinition.objects.update_or_create(
            site=site,
            defaults={
                "plan_name": entry["plan_name"],
                "author": entry.get("author") or "",
                "written_by_detainee": bool(entry.get("written_by_detainee")),
                "signature_required": bool(entry.get("signature_required")),
                "description": entry.get("description") or "",
                "signatories": [str(name) for name in entry.get("signatories") or []],
                "fields": entry.get("fields") or [],
                "review_interval_days": entry.get("review_interval_days") or 28,
                "review_note": entry.get("review_note") or "",
                "default_legal_title": legal_title,
                "report_lines": str(entry.get("report_lines") or ""),
            },
        )
        definition.full_clean()
        definition.domains.set([domains[code] for code in entry.get("domains") or []])
        _load_phases(site, entry.get("phases") or [])
        _load_stay_steps(site, entry.get("steps_after_placement") or [])
        _load_work_rules(site, entry.get("work_rules") or [])
        loaded.append(definition)
    return loaded


def _date(value: Any) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


def _load_phases(site: Site, phases: list[dict[str, Any]]) -> None:
    place_types = {pt.code: pt for pt in PlaceType.objects.filter(site=site)}
    for order, phase_data in enumerate(phases):
        legal_title = phase_data.get("legal_title") or ""
        if legal_title and legal_title not in LegalTitle.values:
            raise ValidationError(f"plans.yaml, {site.code}: unknown {legal_title}")
        phase, _created = ProgrammePhase.objects.update_or_create(
            site=site,
            code=phase_data["code"],
            defaults={
                "name": phase_data["name"],
                "order": order,
                "place_type": place_types.get(phase_data.get("place_type") or ""),
                "valid_from": _date(phase_data.get("valid_from")),
                "valid_to": _date(phase_data.get("valid_to")),
                "regime": phase_data.get("regime") or "",
                "outside_work": phase_data.get("outside_work"),
                "legal_title": legal_title,
                "report_lines": str(phase_data.get("report_lines") or ""),
                "note": phase_data.get("note") or "",
            },
        )
        phase.full_clean()


def _load_stay_steps(site: Site, steps: list[dict[str, Any]]) -> None:
    codes = [step["code"] for step in steps]
    StayStepDefinition.objects.filter(site=site, steps__isnull=True).exclude(
        code__in=codes
    ).delete()
    for order, step_data in enumerate(steps):
        step, _created = StayStepDefinition.objects.update_or_create(
            site=site,
            code=step_data["code"],
            defaults={
                "name": step_data["name"],
                "order": order,
                "performer_role": step_data.get("performer_role") or "",
                "performer_organisation": step_data.get("performer_organisation") or "",
                "description": step_data.get("description") or "",
                "report_lines": str(step_data.get("report_lines") or ""),
            },
        )
        step.full_clean()


def _load_work_rules(site: Site, rules: list[dict[str, Any]]) -> None:
    kinds = [rule["kind"] for rule in rules]
    WorkRule.objects.filter(site=site).exclude(kind__in=kinds).delete()
    for rule_data in rules:
        value = rule_data.get("value")
        rule, _created = WorkRule.objects.update_or_create(
            site=site,
            kind=rule_data["kind"],
            defaults={
                "value": Decimal(str(value)) if value is not None else None,
                "text": rule_data["text"],
                "report_lines": str(rule_data.get("report_lines") or ""),
            },
        )
        rule.full_clean()

"""Loads the intake pipelines from ``fixtures/reference/intake_stages.yaml``.

Rows are matched on natural keys (site code + version, stage code, route
code), so loading twice changes nothing and a corrected file updates rows in
place. Stages that cases already refer to are never deleted.
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
from intake.models import (
    EntryRoute,
    IntakeProcessVersion,
    IntakeStageDefinition,
    StageKind,
)

STAGES_FILE = Path(settings.BASE_DIR) / "fixtures" / "reference" / "intake_stages.yaml"

STAGE_FIELDS = (
    "name",
    "kind",
    "performer_role",
    "performer_organisation",
    "description",
    "documents",
    "outcomes",
    "requires",
    "parallel",
    "optional",
    "practice_addition",
    "prescan_partners",
    "consent_kind",
    "due_anchor",
    "due_offset_days",
    "report_lines",
)
STAGE_DEFAULTS: dict[str, Any] = {
    "description": "",
    "documents": [],
    "requires": [],
    "parallel": False,
    "optional": False,
    "practice_addition": False,
    "prescan_partners": [],
    "consent_kind": "",
    "due_anchor": "",
    "due_offset_days": None,
    "report_lines": "",
}


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


def check_stage_graph(code: str, stages: list[dict[str, Any]]) -> None:
    """Refuse unknown prerequisites, cycles and anything but one decision."""
    codes = [stage["code"] for stage in stages]
    if len(codes) != len(set(codes)):
        raise ValidationError(f"{code}: duplicate stage codes")
    decisions = [s for s in stages if s["kind"] == StageKind.DECISION]
    if len(decisions) != 1:
        raise ValidationError(f"{code}: needs exactly one decision stage")
    requires = {s["code"]: list(s.get("requires") or []) for s in stages}
    for stage, needed in requires.items():
        unknown = set(needed) - set(codes)
        if unknown:
            raise ValidationError(f"{code}/{stage}: unknown stages {sorted(unknown)}")
    done: set[str] = set()
    while len(done) < len(codes):
        ready = {c for c, needed in requires.items() if c not in done}
        ready = {c for c in ready if set(requires[c]) <= done}
        if not ready:
            raise ValidationError(f"{code}: the stage prerequisites form a cycle")
        done |= ready


def load_stages_file(path: Path = STAGES_FILE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict) or not isinstance(data.get("processes"), list):
        raise ValidationError(f"{path}: expected a mapping with a 'processes' list.")
    return data


@transaction.atomic
def intake_processes_load(
    *, data: dict[str, Any] | None = None
) -> list[IntakeProcessVersion]:
    """Create or update every intake process version in the reference file."""
    data = data if data is not None else load_stages_file()
    loaded = []
    for entry in data["processes"]:
        site = Site.objects.filter(code=entry["site"]).first()
        if site is None:
            continue
        label = f"{entry['site']} v{entry['version']}"
        check_stage_graph(label, entry["stages"])
        process, _created = IntakeProcessVersion.objects.update_or_create(
            site=site,
            version=entry["version"],
            defaults={
                "valid_from": _date(entry["valid_from"]),
                "name": entry["name"],
                "note": entry.get("note") or "",
                "report_lines": str(entry.get("report_lines") or ""),
                "hand_back_to": entry.get("hand_back_to") or "",
            },
        )
        process.full_clean()
        for order, route in enumerate(entry.get("entry_routes") or [], start=1):
            EntryRoute.objects.update_or_create(
                process=process,
                code=route["code"],
                defaults={
                    "name": route["name"],
                    "order": order,
                    "planned_only": bool(route.get("planned_only")),
                    "importable": bool(route.get("importable")),
                },
            )
        for order, stage_data in enumerate(entry["stages"], start=1):
            values = {**STAGE_DEFAULTS, **stage_data}
            defaults = {field: values[field] for field in STAGE_FIELDS}
            defaults["due_anchor"] = defaults["due_anchor"] or ""
            defaults["report_lines"] = str(defaults["report_lines"])
            stage, _created = IntakeStageDefinition.objects.update_or_create(
                process=process,
                code=stage_data["code"],
                defaults={"order": order, **defaults},
            )
            stage.full_clean()
        codes = [s["code"] for s in entry["stages"]]
        process.stages.exclude(code__in=codes).filter(events__isnull=True).delete()
        loaded.append(process)
    return loaded

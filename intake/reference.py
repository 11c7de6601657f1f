"""Loads the intake pipelines from ``fixtures/reference/intake_stages.yaml``.

Rows are matched on natural keys (site code + version, stage code, route
code), so loading twice changes nothing and a corrected file updates rows in
place. Stages that cases already refer to are never deleted. A stage whose
order or kind changes recounts the stage reach of the cases recorded at it
in the same transaction (``IntakeStageDefinition.save``).
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from core.models import Site
from intake.models import (
    EntryRoute,
    IntakeProcessVersion,
    IntakeStageDefinition,
    PrescanAnswer,
    StageEvent,
    StageKind,
)
from partners.models import Organisation
from partners.reference import partners_load

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


def stage_performers_apply(
    data: dict[str, Any],
    *,
    stage_model: Any,
    organisation_model: Any,
    strict: bool = True,
) -> int:
    """Set each stage's agreed organisation (``performer``) and, for a
    pre-scan, each partner's (``prescan_performers``) from the file.

    Takes the model classes so the data migration that gives existing
    records their default performer can run it on its historical models.
    Returns the number of stages set; refuses a name that is no organisation
    working for the stage's site (``strict=False``, for the migration, skips
    such a stage: the next ``load_reference`` sets it).
    """
    set_count = 0
    for entry in data["processes"]:
        for stage_data in entry["stages"]:
            stage = stage_model.objects.filter(
                process__site__code=entry["site"],
                process__version=entry["version"],
                code=stage_data["code"],
            ).first()
            if stage is None:
                continue
            label = f"{entry['site']} v{entry['version']}/{stage_data['code']}"
            name = stage_data.get("performer")
            performers = dict(stage_data.get("prescan_performers") or {})
            unknown = set(performers) - set(stage_data.get("prescan_partners") or [])
            if unknown:
                raise ValidationError(f"{label}: not a pre-scan partner {unknown}")
            try:
                stage.performer = (
                    _site_organisation(organisation_model, entry["site"], name, label)
                    if name
                    else None
                )
                for partner_name in performers.values():
                    _site_organisation(
                        organisation_model, entry["site"], partner_name, label
                    )
            except ValidationError:
                if strict:
                    raise
                continue
            stage.prescan_performers = performers
            stage.save(update_fields=["performer", "prescan_performers"])
            set_count += 1
    return set_count


def _site_organisation(
    organisation_model: Any, site_code: str, name: str, label: str
) -> Any:
    """The organisation ``name`` if it works for the site (or nationally)."""
    found = organisation_model.objects.filter(name=name).first()
    if found is None:
        raise ValidationError(f"{label}: unknown organisation {name}")
    serves = list(found.sites.values_list("code", flat=True))
    if serves and site_code not in serves:
        raise ValidationError(f"{label}: {name} does not work for {site_code}")
    return found


def default_performers_backfill(
    *, stage_model: Any, event_model: Any, prescan_model: Any, organisation_model: Any
) -> int:
    """Give stage events and pre-scan answers recorded before their stage
    had an agreed organisation that organisation, as agreed and as
    performing organisation. Records that already have one are left alone;
    returns the number of records changed."""
    changed = 0
    stages = stage_model.objects.filter(performer__isnull=False)
    for stage_id, performer_id in stages.values_list("pk", "performer_id"):
        changed += event_model.objects.filter(
            stage_id=stage_id, agreed_organisation__isnull=True
        ).update(agreed_organisation_id=performer_id)
    prescans = stage_model.objects.filter(kind=StageKind.PRESCAN).exclude(
        prescan_performers={}
    )
    for stage in prescans:
        for partner, name in stage.prescan_performers.items():
            organisation = organisation_model.objects.filter(name=name).first()
            if organisation is None:
                continue
            changed += prescan_model.objects.filter(
                case__process_id=stage.process_id,
                partner=partner,
                agreed_organisation__isnull=True,
            ).update(agreed_organisation_id=organisation.pk)
    for model in (event_model, prescan_model):
        model.objects.filter(
            performing_organisation__isnull=True, agreed_organisation__isnull=False
        ).update(performing_organisation=F("agreed_organisation"))
    return changed


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
    names = {
        name
        for entry in data["processes"]
        for stage in entry["stages"]
        for name in [
            stage.get("performer"),
            *(stage.get("prescan_performers") or {}).values(),
        ]
        if name
    }
    if names - set(
        Organisation.objects.filter(name__in=names).values_list("name", flat=True)
    ):
        # the stages name their agreed organisations; partners load after
        # intake in INSTALLED_APPS order, so a fresh database gets them here
        partners_load()
    stage_performers_apply(
        data, stage_model=IntakeStageDefinition, organisation_model=Organisation
    )
    default_performers_backfill(
        stage_model=IntakeStageDefinition,
        event_model=StageEvent,
        prescan_model=PrescanAnswer,
        organisation_model=Organisation,
    )
    return loaded

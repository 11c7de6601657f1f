"""Storing validated catalogue files as versions: an unchanged file
changes nothing; a changed file rewrites its version only while no
answer refers to it, otherwise it becomes a new version, so answers
keep the item rows they were given under."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction

from core.models import Site
from evaluation.catalogue.parsing import (
    CATALOGUE_DIR,
    ParsedCatalogue,
    parse_catalogue_dir,
    topic_recorded_at,
)
from evaluation.models import (
    CatalogueVersion,
    Item,
    Topic,
)


def _registrations(data: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """``var`` -> (held_in, route) of every item of a catalogue's data."""
    found: dict[str, tuple[str, str]] = {}

    def walk(items: list[Any]) -> None:
        for item in items or []:
            entry = item.get("registration") or {}
            found[str(item["var"])] = (
                str(entry.get("held_in") or ""),
                str(entry.get("route") or ""),
            )
            walk(item.get("items") or [])

    for topic in data["topics"]:
        walk(topic["items"])
    return found


def _apply_registration(catalogue: CatalogueVersion, data: dict[str, Any]) -> None:
    """Store the file's registration map on the version's items."""
    wanted = _registrations(data)
    changed = []
    for item in Item.objects.filter(catalogue=catalogue):
        held_in, route = wanted.get(item.var, ("", ""))
        if (item.registered_in, item.reaches_dataset) != (held_in, route):
            item.registered_in, item.reaches_dataset = held_in, route
            changed.append(item)
    Item.objects.bulk_update(changed, ["registered_in", "reaches_dataset"])


def _build_item(
    catalogue: CatalogueVersion,
    topic: Topic,
    data: dict[str, Any],
    order: int,
    level: str,
) -> Item:
    condition = data.get("condition") or {}
    item = Item(
        catalogue=catalogue,
        topic=topic,
        var=data["var"],
        text=str(data["text"]).strip(),
        answer_type=data["answer_type"],
        moments=list(data.get("moments") or []),
        choices=list(data.get("choices") or []),
        note=str(data.get("note") or "").strip(),
        derived_from=str(data.get("derived_from") or ""),
        record_source=bool(data.get("record_source", False)),
        recorded_at=data.get("recorded_at", level),
        unit=str(data.get("unit") or "").strip(),
        min_value=data.get("min"),
        max_value=data.get("max"),
        decimals=int(data.get("decimals", 0)),
        condition={"var": condition["var"], "answer": str(condition["answer"])}
        if condition
        else {},
        order=order,
    )
    # Uniqueness was checked for the whole file by parse_catalogue_file.
    item.full_clean(exclude=["parent"], validate_unique=False)
    return item


def _fill(catalogue: CatalogueVersion, data: dict[str, Any]) -> None:
    counter = [0]
    for order, topic_data in enumerate(data["topics"]):
        topic = Topic(
            catalogue=catalogue,
            code=topic_data["code"],
            category=topic_data["category"],
            title=str(topic_data["title"]).strip(),
            evaluations=list(topic_data.get("evaluations") or []),
            methods=list(topic_data.get("methods") or []),
            levels=list(topic_data.get("levels") or []),
            report_lines=str(topic_data.get("report_lines") or ""),
            order=order,
        )
        topic.full_clean(validate_unique=False)
        topic.save()
        # Report order runs depth-first: a heading, its sub-items, the next.
        top: list[tuple[Item, list[Item]]] = []
        level = topic_recorded_at(topic_data)
        for data in topic_data["items"]:
            counter[0] += 1
            parent = _build_item(catalogue, topic, data, counter[0], level)
            children = []
            for child_data in data.get("items") or []:
                counter[0] += 1
                children.append(
                    _build_item(
                        catalogue,
                        topic,
                        child_data,
                        counter[0],
                        child_data.get("recorded_at", parent.recorded_at),
                    )
                )
            top.append((parent, children))
        Item.objects.bulk_create([parent for parent, _children in top])
        for parent, children in top:
            for child in children:
                child.parent = parent
        Item.objects.bulk_create([c for _parent, children in top for c in children])


def _has_answers(catalogue: CatalogueVersion) -> bool:
    return (
        catalogue.measurements.filter(answers__isnull=False).exists()
        or catalogue.kv_measurements.filter(answers__isnull=False).exists()
    )


@transaction.atomic
def catalogue_load(
    *, parsed: ParsedCatalogue, site: Site
) -> tuple[CatalogueVersion, str]:
    """Store one validated file; returns the version and what happened."""
    data = parsed.data
    latest = CatalogueVersion.objects.filter(site=site).order_by("-version").first()
    if latest is not None and latest.checksum == parsed.checksum:
        _apply_registration(latest, data)
        return latest, "unchanged"
    fields = {
        "table": str(data.get("table", "")),
        "valid_from": data["valid_from"],
        "source_file": parsed.path.name,
        "checksum": parsed.checksum,
    }
    existing = CatalogueVersion.objects.filter(
        site=site, version=data["version"]
    ).first()
    if existing is not None and not _has_answers(existing):
        existing.topics.all().delete()
        for key, value in fields.items():
            setattr(existing, key, value)
        existing.full_clean()
        existing.save()
        # Measurements that were only planned follow the corrected items.
        _fill(existing, data)
        _apply_registration(existing, data)
        return existing, "rewritten"
    number = data["version"]
    if existing is not None or (latest is not None and latest.version >= number):
        number = (latest.version if latest else 0) + 1
    catalogue = CatalogueVersion(site=site, version=number, **fields)
    catalogue.full_clean()
    catalogue.save()
    _fill(catalogue, data)
    _apply_registration(catalogue, data)
    return catalogue, "new version"


def load_catalogues(directory: Path = CATALOGUE_DIR) -> list[CatalogueVersion]:
    """Reference loader: validate every file, then load those whose site exists."""
    parsed = parse_catalogue_dir(directory)
    sites = {site.code: site for site in Site.objects.all()}
    loaded = []
    with transaction.atomic():
        for entry in parsed:
            site = sites.get(entry.data["site"])
            if site is None:
                continue
            catalogue, _status = catalogue_load(parsed=entry, site=site)
            loaded.append(catalogue)
    return loaded


def current_catalogue(site: Site) -> CatalogueVersion | None:
    return CatalogueVersion.objects.filter(site=site).order_by("-version").first()

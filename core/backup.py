"""Back up and restore the whole database, the same way on SQLite and
PostgreSQL.

A backup is one zip file (deflate-compressed):

- ``manifest.json``: format version, time, database vendor, the latest applied
  migration of every app, and the number of rows per table;
- ``tables/<table>.jsonl``: one JSON array per row with the values of the
  table's concrete columns in the order listed in the manifest (every model,
  including many-to-many link tables and the django-simple-history tables);
- ``media/<path>``: every file under ``MEDIA_ROOT`` (uploaded import lists).

Rows are read and written through the ORM with their primary keys, so the
restored database is row-for-row the backed-up one. A restore goes into an
*empty* database: migrated (``manage.py migrate``) but without data; the
content types and permissions that ``migrate`` creates are replaced by the
backed-up ones so foreign keys to them keep pointing at the same rows. It
refuses a database holding any other row unless ``force`` is given, in which
case every table is emptied first. The restore is one transaction: it applies
completely or not at all. On PostgreSQL the id sequences are reset afterwards.

The file contains personal data: it is written readable by its owner only.
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django_q.models import Schedule

FORMAT_VERSION = 1
BATCH_SIZE = 1000
# Rows ``migrate`` creates by itself (the periodic tasks: core.jobs); a
# restore replaces them.
MIGRATE_CREATED = (ContentType, Permission, Schedule)


class _ExactEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, but keeping microseconds (it cuts them to ms)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class BackupError(Exception):
    """A backup cannot be restored here; nothing was written."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    tables: dict[str, int]
    media_files: int

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def backed_up_models() -> list[type[models.Model]]:
    """Every table Django manages, link tables included, each once."""
    seen: set[str] = set()
    found = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in seen:
            continue
        if meta.parents:
            # Multi-table inheritance would need the parent row first; no
            # model of this project uses it, so refuse rather than guess.
            raise BackupError(f"{meta.label} uses multi-table inheritance.")
        seen.add(meta.db_table)
        found.append(model)
    return found


def _columns(model: type[models.Model]) -> list[models.Field]:
    return list(model._meta.concrete_fields)


def _encode(field: models.Field, value: Any) -> Any:
    if value is not None and isinstance(field, models.BinaryField):
        return base64.b64encode(bytes(value)).decode()
    return value


def _decode(field: models.Field, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, models.BinaryField):
        return base64.b64decode(value)
    if isinstance(field, models.JSONField):
        return value
    return field.to_python(value)


def _rows(model: type[models.Model], using: str) -> Iterator[list[Any]]:
    fields = _columns(model)
    queryset = (
        model._base_manager.using(using)
        .order_by("pk")
        .values_list(*[f.attname for f in fields])
    )
    for row in queryset.iterator(chunk_size=BATCH_SIZE):
        yield [_encode(f, v) for f, v in zip(fields, row, strict=True)]


def _applied_migrations(using: str) -> dict[str, str]:
    latest: dict[str, str] = {}
    recorder = MigrationRecorder(connections[using])
    for app, name in sorted(recorder.applied_migrations()):
        latest[app] = max(latest.get(app, name), name)
    return latest


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file())


def backup_create(*, path: Path, using: str = DEFAULT_DB_ALIAS) -> BackupSummary:
    """Write every table and the media files to one compressed file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tables: dict[str, int] = {}
    columns: dict[str, list[str]] = {}
    media = _media_files()
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with (
        os.fdopen(fd, "wb") as raw,
        zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive,
        transaction.atomic(using=using),
    ):
        # One transaction: on PostgreSQL a consistent snapshot of all tables
        # is read only with REPEATABLE READ; at READ COMMITTED each table is
        # consistent on its own. Run it when nobody is writing for an exact
        # copy (documented in the README).
        for model in backed_up_models():
            table = model._meta.db_table
            columns[table] = [f.column for f in _columns(model)]
            count = 0
            with archive.open(f"tables/{table}.jsonl", "w") as out:
                for row in _rows(model, using):
                    out.write(json.dumps(row, cls=_ExactEncoder).encode())
                    out.write(b"\n")
                    count += 1
            tables[table] = count
        root = Path(settings.MEDIA_ROOT)
        for file in media:
            archive.write(file, f"media/{file.relative_to(root).as_posix()}")
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "vendor": connections[using].vendor,
            "migrations": _applied_migrations(using),
            "columns": columns,
            "tables": tables,
            "media_files": len(media),
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=1))
    partial.replace(path)
    return BackupSummary(path=path, tables=tables, media_files=len(media))


def nonempty_tables(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Tables holding rows other than those ``migrate`` creates by itself."""
    return [
        model._meta.db_table
        for model in backed_up_models()
        if model not in MIGRATE_CREATED and model._base_manager.using(using).exists()
    ]


def _empty_tables(models_: list[type[models.Model]], using: str) -> None:
    # DELETE rather than TRUNCATE: foreign keys are deferred, so the order
    # does not matter, and it works inside a transaction with pending
    # constraint checks on PostgreSQL.
    connection = connections[using]
    with connection.cursor() as cursor:
        for model in models_:
            table = connection.ops.quote_name(model._meta.db_table)
            # The table name comes from the model, never from input.
            cursor.execute("DELETE FROM " + table)  # noqa: S608


def _read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(archive.read("manifest.json"))
    except KeyError as exc:
        raise BackupError("Not a KV Monitor backup: no manifest.json.") from exc
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    return manifest


def _check_schema(manifest: dict[str, Any], using: str) -> None:
    here = _applied_migrations(using)
    if manifest["migrations"] != here:
        differing = sorted(
            app
            for app in set(here) | set(manifest["migrations"])
            if here.get(app) != manifest["migrations"].get(app)
        )
        raise BackupError(
            "The database schema differs from the backup's (apps: "
            + ", ".join(differing)
            + "). Check out the code version of the backup and migrate first."
        )


def _insert(
    model: type[models.Model],
    fields: list[models.Field],
    objs: list[models.Model],
    using: str,
) -> None:
    # raw=True, as loaddata does: values go in exactly as stored, without
    # auto_now and other pre_save hooks; no signals, so no history rows.
    size = connections[using].ops.bulk_batch_size(fields, objs) or len(objs)
    for start in range(0, len(objs), max(size, 1)):
        model._base_manager.using(using)._insert(
            objs[start : start + size], fields=fields, raw=True, using=using
        )


def _restore_table(
    archive: zipfile.ZipFile,
    model: type[models.Model],
    columns: list[str],
    using: str,
) -> int:
    by_column = {f.column: f for f in _columns(model)}
    if set(columns) != set(by_column):
        raise BackupError(f"Columns of {model._meta.db_table} differ from backup.")
    fields = [by_column[c] for c in columns]
    count = 0
    batch: list[models.Model] = []
    with archive.open(f"tables/{model._meta.db_table}.jsonl") as lines:
        for line in lines:
            values = json.loads(line)
            batch.append(
                model(
                    **{
                        f.attname: _decode(f, v)
                        for f, v in zip(fields, values, strict=True)
                    }
                )
            )
            if len(batch) >= BATCH_SIZE:
                _insert(model, fields, batch, using)
                count += len(batch)
                batch = []
    if batch:
        _insert(model, fields, batch, using)
    return count + len(batch)


def _media_targets(archive: zipfile.ZipFile, force: bool) -> list[tuple[str, Path]]:
    root = Path(settings.MEDIA_ROOT).resolve()
    targets = []
    for name in archive.namelist():
        if not name.startswith("media/") or name.endswith("/"):
            continue
        target = (root / name.removeprefix("media/")).resolve()
        if not target.is_relative_to(root):
            raise BackupError(f"Refusing media path outside MEDIA_ROOT: {name}")
        if target.exists() and not force:
            raise BackupError(f"Media file already exists: {target}")
        targets.append((name, target))
    return targets


def _write_media(archive: zipfile.ZipFile, targets: list[tuple[str, Path]]) -> None:
    for name, target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(name) as source, target.open("wb") as out:
            out.write(source.read())


def backup_restore(
    *, path: Path, force: bool = False, using: str = DEFAULT_DB_ALIAS
) -> BackupSummary:
    """Load a backup into an empty database (all of it or nothing)."""
    with zipfile.ZipFile(path) as archive:
        manifest = _read_manifest(archive)
        _check_schema(manifest, using)
        occupied = nonempty_tables(using)
        if occupied and not force:
            raise BackupError(
                "The database is not empty (tables with rows: "
                + ", ".join(occupied[:10])
                + (", ..." if len(occupied) > 10 else "")
                + "). Restore into an empty database, or use --force to "
                "delete everything in it first."
            )
        by_table = {m._meta.db_table: m for m in backed_up_models()}
        unknown = sorted(set(manifest["tables"]) ^ set(by_table))
        if unknown:
            raise BackupError(
                "Tables differ between backup and database: " + ", ".join(unknown)
            )
        media = _media_targets(archive, force)
        tables: dict[str, int] = {}
        connection = connections[using]
        with transaction.atomic(using=using):
            _empty_tables(list(by_table.values()), using)
            # Foreign keys are deferred to commit on both SQLite and
            # PostgreSQL, so the order of the tables does not matter.
            for table, columns in manifest["columns"].items():
                tables[table] = _restore_table(archive, by_table[table], columns, using)
                if tables[table] != manifest["tables"][table]:
                    raise BackupError(f"Row count of {table} does not match.")
            connection.check_constraints(table_names=list(tables))
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    for sql in connection.ops.sequence_reset_sql(
                        no_style(), list(by_table.values())
                    ):
                        cursor.execute(sql)
        _write_media(archive, media)
    ContentType.objects.clear_cache()
    return BackupSummary(path=Path(path), tables=tables, media_files=len(media))

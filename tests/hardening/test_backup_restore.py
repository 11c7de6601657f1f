"""backup_db / restore_db: a backup restored into an empty database gives back
every table row for row, and the uploaded files."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from core.backup import backed_up_models, nonempty_tables
from core.models import AuditKind, Person
from core.scoping import Role
from core.services import audit_event_record, person_update
from tests.factories import SiteFactory, user_with_role
from tests.world import build_world


def _snapshot() -> dict[str, list[tuple]]:
    tables = {}
    for model in backed_up_models():
        columns = [f.attname for f in model._meta.concrete_fields]
        tables[model._meta.db_table] = list(
            model._base_manager.order_by("pk").values_list(*columns)
        )
    return tables


@pytest.fixture
def seeded(db, settings, tmp_path):
    """Objects of every app (through the permission-matrix world), history
    rows, audit events, a session-like variety of types, and an upload."""
    settings.MEDIA_ROOT = tmp_path / "media"
    upload = settings.MEDIA_ROOT / "imports" / "2026" / "lijst.xlsx"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(b"PK\x03\x04 not really a workbook \x00\xff")
    for code, marker in (("eigen", "EEN"), ("ander", "TWEE")):
        site = SiteFactory(code=code)
        world = build_world(site, marker)
        person = world["_person"]
        person_update(person=person, data={"municipality_of_origin": "Goes"})
        user = user_with_role(Role.CASEMANAGER, site)
        audit_event_record(
            actor=user,
            kind=AuditKind.EXPORT,
            site=site,
            summary="export",
            details={"rows": 3, "nested": {"ok": True, "at": "2026-01-01"}},
        )
    return upload


def _media(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()
    }


@pytest.mark.django_db(transaction=True)
def test_restore_into_an_empty_database_gives_back_every_row(
    seeded, settings, tmp_path
):
    before = _snapshot()
    media_before = _media(settings.MEDIA_ROOT)
    backup = tmp_path / "backup.zip"
    call_command("backup_db", output=backup, stdout=None)
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.MEDIA_ROOT)
    assert nonempty_tables() == []

    call_command("restore_db", backup)

    after = _snapshot()
    assert [table for table in before if before[table] != after.get(table)] == []
    assert after == before
    non_empty = [table for table, rows in before.items() if rows]
    assert len(non_empty) >= 15, non_empty
    assert _media(settings.MEDIA_ROOT) == media_before
    assert seeded.read_bytes() == b"PK\x03\x04 not really a workbook \x00\xff"


def test_backup_file_is_one_compressed_archive_with_a_manifest(seeded, tmp_path):
    backup = tmp_path / "backup.zip"
    call_command("backup_db", output=backup)

    with zipfile.ZipFile(backup) as archive:
        names = archive.namelist()
        assert "manifest.json" in names
        assert "tables/core_person.jsonl" in names
        assert "media/imports/2026/lijst.xlsx" in names
        assert all(
            info.compress_type == zipfile.ZIP_DEFLATED for info in archive.infolist()
        )
    assert backup.stat().st_mode & 0o077 == 0


def test_restore_refuses_a_database_with_data(seeded, tmp_path):
    backup = tmp_path / "backup.zip"
    call_command("backup_db", output=backup)
    people = Person.objects.count()

    with pytest.raises(CommandError, match="not empty"):
        call_command("restore_db", backup)

    assert Person.objects.count() == people


def test_restore_with_force_replaces_the_data(seeded, tmp_path):
    before = _snapshot()
    backup = tmp_path / "backup.zip"
    call_command("backup_db", output=backup)
    Person.objects.update(municipality_of_origin="Gewijzigd")

    call_command("restore_db", backup, force=True)

    assert _snapshot() == before


def test_restore_refuses_a_file_that_is_not_a_backup(db, tmp_path):
    bogus = Path(tmp_path / "bogus.zip")
    with zipfile.ZipFile(bogus, "w") as archive:
        archive.writestr("hello.txt", "hi")

    with pytest.raises(CommandError, match="manifest"):
        call_command("restore_db", bogus)

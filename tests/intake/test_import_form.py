"""The upload form preselects the user's own KV and keeps the chosen file when
the form is refused for another field: the retry needs no new choice."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core import uploads
from intake.models import ImportBatch, ImportStatus

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "files"
LIST = "dji_list_1000.csv"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _data(almelo, process, **extra):
    return {
        "site": almelo.code,
        "kind": "dji_list",
        "entry_route": process.entry_routes.get(code="dji_list").pk,
        "list_date": "2020-04-01",
        **extra,
    }


def _held_files(media: Path) -> list[Path]:
    folder = media / uploads.HELD_DIR
    return list(folder.iterdir()) if folder.is_dir() else []


def test_the_form_preselects_the_users_own_site(
    client, casemanager_almelo, almelo, almelo_process
):
    client.force_login(casemanager_almelo)
    form = client.get(reverse("intake:import_create")).context["form"]
    assert form["site"].value() == almelo.code


def test_a_refused_form_keeps_the_file_and_the_retry_uses_it(
    client,
    casemanager_almelo,
    almelo,
    almelo_process,
    media,
    django_capture_on_commit_callbacks,
):
    client.force_login(casemanager_almelo)
    upload = SimpleUploadedFile(LIST, (FILES / LIST).read_bytes(), "text/csv")

    refused = client.post(
        reverse("intake:import_create"),
        {**_data(almelo, almelo_process, entry_route=""), "file": upload},
    )

    assert refused.status_code == 200
    assert "entry_route" in refused.context["form"].errors
    assert "file" not in refused.context["form"].errors
    assert f"{LIST} is bewaard" in refused.content.decode()
    assert len(_held_files(media)) == 1

    # The check is queued when the upload commits; a worker takes it then.
    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(
            reverse("intake:import_create"), _data(almelo, almelo_process)
        )

    batch = ImportBatch.objects.get()
    assert retried["Location"] == batch.get_absolute_url()
    # The retry imports the kept file itself, and its check ran.
    assert batch.original_name == LIST
    with batch.file.open("rb") as kept:
        assert kept.read() == (FILES / LIST).read_bytes()
    assert batch.status != ImportStatus.CHECKING
    assert _held_files(media) == []


def test_without_a_kept_file_the_file_is_still_required(
    client, casemanager_almelo, almelo, almelo_process
):
    client.force_login(casemanager_almelo)
    response = client.post(
        reverse("intake:import_create"), _data(almelo, almelo_process)
    )
    assert "file" in response.context["form"].errors
    assert not ImportBatch.objects.exists()

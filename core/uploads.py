"""An uploaded file kept for the retry after a form error.

A browser cannot fill in a file input again, so when a form with a file is
refused for another field, the file is kept on the server (under MEDIA_ROOT,
named by a random token held in the user's session) and the form says which
file it has. The next submission uses it unless another file is chosen. A kept
file is deleted when it is used, replaced, or a day old.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.http import HttpRequest
from django.utils import timezone

HELD_DIR = "held-uploads"
KEEP_FOR = datetime.timedelta(days=1)


@dataclass(frozen=True)
class HeldUpload:
    name: str
    size: int


def _folder() -> Path:
    return Path(settings.MEDIA_ROOT) / HELD_DIR


def _session_key(purpose: str) -> str:
    return f"held_upload_{purpose}"


def _purge_old() -> None:
    folder = _folder()
    if not folder.is_dir():
        return
    cutoff = (timezone.now() - KEEP_FOR).timestamp()
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def upload_hold(*, request: HttpRequest, upload: UploadedFile, purpose: str) -> None:
    """Keep ``upload`` for this user's next submission of the same form."""
    upload_release(request=request, purpose=purpose)
    _purge_old()
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    with (folder / token).open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    upload.seek(0)
    request.session[_session_key(purpose)] = {
        "token": token,
        "name": Path(upload.name or "upload").name,
    }


def upload_held(*, request: HttpRequest, purpose: str) -> HeldUpload | None:
    """The kept file's name and size, if this user has one."""
    entry = request.session.get(_session_key(purpose))
    if not entry:
        return None
    path = _folder() / entry["token"]
    if not path.is_file():
        request.session.pop(_session_key(purpose), None)
        return None
    return HeldUpload(name=entry["name"], size=path.stat().st_size)


def upload_held_file(*, request: HttpRequest, purpose: str) -> UploadedFile | None:
    """The kept file as an upload, ready to be read again."""
    held = upload_held(request=request, purpose=purpose)
    if held is None:
        return None
    token = request.session[_session_key(purpose)]["token"]
    return SimpleUploadedFile(held.name, (_folder() / token).read_bytes())


def upload_release(*, request: HttpRequest, purpose: str) -> None:
    """Forget and delete the kept file."""
    entry = request.session.pop(_session_key(purpose), None)
    if entry:
        (_folder() / entry["token"]).unlink(missing_ok=True)

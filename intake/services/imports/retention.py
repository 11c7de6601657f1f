"""Deleting the kept files of lists past retention."""

from __future__ import annotations

import datetime
from functools import partial

from django.db import transaction

from intake.models import ImportBatch


@transaction.atomic
def import_files_purge(*, uploaded_before: datetime.datetime) -> int:
    """Delete the kept files of lists uploaded before a moment (retention).

    The import records stay, with who imported what and the counts; the
    files and the stored rows with names and birth dates go. Returns the
    number of files.
    """
    purged = 0
    for batch in ImportBatch.objects.filter(uploaded_at__lt=uploaded_before).exclude(
        file=""
    ):
        storage, name = batch.file.storage, batch.file.name
        batch.file = ""
        batch.check_result = {}
        batch.save(update_fields=["file", "check_result"])
        # Only once the record says so: a rolled-back purge keeps its files.
        transaction.on_commit(partial(storage.delete, name))
        purged += 1
    return purged

"""The list import's writes: keep an uploaded list, check it (reading and
checking are ``intake.importers`` and ``intake.import_checks``), apply it in one
transaction, and delete kept files past retention. One module per step:
``checking`` (keep and check), ``applying`` (confirm and apply), ``jobs``
(the queued work and its retry) and ``retention`` (purge); every public name
is re-exported here, so ``from intake.services.imports import ...`` finds it.

1. ``import_batch_create`` keeps the uploaded file with a new ``ImportBatch``
   and queues its check;
2. ``import_batch_check`` reads and checks the file and STORES the result
   with the batch; pages only read it (``intake.import_checks.stored_check``);
3. ``import_batch_apply`` checks the stored rows again against the records as
   they are now (something may have changed in between: then it names the
   rows and nothing is written) and writes people and cases with bulk inserts
   in one transaction.
"""

from intake.services.imports.applying import (
    import_batch_apply,
    import_batch_apply_failed,
    import_batch_confirm,
)
from intake.services.imports.checking import import_batch_check, import_batch_create
from intake.services.imports.jobs import import_batch_retry, import_batch_work
from intake.services.imports.retention import import_files_purge

__all__ = [
    "import_batch_apply",
    "import_batch_apply_failed",
    "import_batch_check",
    "import_batch_confirm",
    "import_batch_create",
    "import_batch_retry",
    "import_batch_work",
    "import_files_purge",
]

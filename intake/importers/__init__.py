"""List import: reading and checking DJI lists and DIZ call-up lists from
.xlsx or .csv. The writes (keep, check and store, apply) are the services in
``intake.services.imports``.

Reading keeps within limits (rows, cells, unpacked size, enforced while an
.xlsx is streamed); checking tests every row against every rule the apply
enforces (the person's own field rules, a plausible birth date, gender codes
of the person form, duplicates in the file and among registered people, the
site's status, intake process and criteria on the list date and on each
report date). Checking costs the same few queries for 10 rows or 20,000.

People are matched on DJI number or on name and date of birth, the same
rule as ``core.services.person_find_duplicates``, so an import never creates
a second record for someone already known.

One module per concept: ``reading`` (the file within its limits),
``dates`` (a cell as text, dates as lists write them), ``rows`` (columns,
messages, one row, the check's result) and ``templates`` (the list
templates). The ``__init__`` re-exports their names, so
``from intake.importers import read_rows`` keeps working.
"""

from intake.importers.dates import (
    EXCEL_EPOCH,
    MONTHS,
    _text,
    parse_date,
)
from intake.importers.reading import (
    FILE_EMPTY,
    FILE_EMPTY_GAP,
    FILE_TOO_LARGE,
    FILE_TOO_MANY_CELLS,
    FILE_TOO_MANY_ROWS,
    FILE_UNPACKED_TOO_LARGE,
    FILE_UNREADABLE,
    FILE_WRONG_TYPE,
    MISSING_COLUMNS,
    FileRefused,
    check_upload,
    decode_text,
    read_rows,
)
from intake.importers.rows import (
    ACTIONS,
    ALREADY_APPLIED,
    BULK_BATCH_SIZE,
    CHANGED_ROWS,
    CHANGED_SINCE_CHECK,
    COLUMNS,
    EXTENSIONS,
    FILE_CHANGED,
    NO_CRITERIA_ON_LIST_DATE,
    NO_PROCESS_ON_LIST_DATE,
    NOT_READY,
    PROGRESS_EVERY,
    REQUIRED,
    ROUTE_NOT_ON_LIST_DATE,
    ROW_AMBIGUOUS,
    ROW_BAD_DATE,
    ROW_BAD_GENDER,
    ROW_CHANGED,
    ROW_DJI_CONFLICT,
    ROW_DUPLICATE_IN_FILE,
    ROW_FIELD,
    ROW_OTHER_DJI,
    ROW_REPORT_DATE_REQUIRED,
    ROW_REQUIRED,
    ROW_SITE_CLOSED_ON_REPORT_DATE,
    SITE_NOT_RECEIVING_ON_LIST_DATE,
    ImportCheck,
    ImportRow,
    Progress,
    _gender_inputs,
    _no_progress,
)
from intake.importers.templates import (
    gender_codes_text,
    template_csv,
    template_rows,
    template_xlsx,
)

__all__ = [
    "ACTIONS",
    "ALREADY_APPLIED",
    "BULK_BATCH_SIZE",
    "CHANGED_ROWS",
    "CHANGED_SINCE_CHECK",
    "COLUMNS",
    "EXCEL_EPOCH",
    "EXTENSIONS",
    "FILE_CHANGED",
    "FILE_EMPTY",
    "FILE_EMPTY_GAP",
    "FILE_TOO_LARGE",
    "FILE_TOO_MANY_CELLS",
    "FILE_TOO_MANY_ROWS",
    "FILE_UNPACKED_TOO_LARGE",
    "FILE_UNREADABLE",
    "FILE_WRONG_TYPE",
    "MISSING_COLUMNS",
    "MONTHS",
    "NOT_READY",
    "NO_CRITERIA_ON_LIST_DATE",
    "NO_PROCESS_ON_LIST_DATE",
    "PROGRESS_EVERY",
    "REQUIRED",
    "ROUTE_NOT_ON_LIST_DATE",
    "ROW_AMBIGUOUS",
    "ROW_BAD_DATE",
    "ROW_BAD_GENDER",
    "ROW_CHANGED",
    "ROW_DJI_CONFLICT",
    "ROW_DUPLICATE_IN_FILE",
    "ROW_FIELD",
    "ROW_OTHER_DJI",
    "ROW_REPORT_DATE_REQUIRED",
    "ROW_REQUIRED",
    "ROW_SITE_CLOSED_ON_REPORT_DATE",
    "SITE_NOT_RECEIVING_ON_LIST_DATE",
    "FileRefused",
    "ImportCheck",
    "ImportRow",
    "Progress",
    "_gender_inputs",
    "_no_progress",
    "_text",
    "check_upload",
    "decode_text",
    "gender_codes_text",
    "parse_date",
    "read_rows",
    "template_csv",
    "template_rows",
    "template_xlsx",
]

"""The sheets of a research export, as typed columns plus a lazy stream of rows.

Rows are read from the database with ``iterator()`` in sorted order and
joined while streaming, so memory stays flat however many people are
exported. Only pseudonyms, birth years, kinds and (optionally shifted) dates
leave the system: no query here selects a name, birth date, DJI number,
contact, employer or free text. Values are typed (``int``, ``float``,
``datetime.date``, ``str``), so every writer stores them as what they are.

Every person-level sheet is keyed the same way (pseudonym, KV, stay code),
so every figure on the dashboards can be recomputed from the files alone.

One module per concept: ``base`` (filters, sheet, record codes, date shift,
key columns), ``items`` (catalogue item columns), ``measurements`` (person
sheets, long and wide), ``kv`` (KV-level sheets), ``cases`` (intake),
``stay_records`` (stays, phases and the per-stay records), ``bijlage7`` and
``workbook`` (the sheet order and the sheets about the file). This
``__init__`` re-exports the public names.
"""

from dashboards.exports.codebook import (
    CODE,
    TEXT,
)
from dashboards.exports.datasets.base import (
    CASE_CODE,
    CHUNK,
    GENDER,
    GOAL_CODE,
    MAX_SHIFT_DAYS,
    PERSON_COLUMNS,
    PERSON_KEYS,
    PSEUDONYM,
    RECORD_PREFIXES,
    SITE,
    STAY_CODE,
    STAY_KEYS,
    ExportAbout,
    ExportFilters,
    Sheet,
    date_shift_for,
    record_code,
    shift,
    stays_for,
)
from dashboards.exports.datasets.bijlage7 import (
    b7_sheet,
)
from dashboards.exports.datasets.cases import (
    CHANNELS,
    END_REASONS,
    OUTCOMES,
    STAGE_KINDS,
    STAGE_OUTCOMES,
    intake_cases,
    intake_stages,
)
from dashboards.exports.datasets.items import (
    ItemInfo,
)
from dashboards.exports.datasets.kv import (
    SECURITY,
    UNSPECIFIED_GROUP_CODE,
    kv_measurements,
    kv_registration,
    registration_sheet,
    respondent_group_column,
)
from dashboards.exports.datasets.measurements import (
    MOMENTS,
    STATUSES,
    SUFFIXES,
    person_long,
    person_wide,
)
from dashboards.exports.datasets.stay_records import (
    ACTIVITY_STATUSES,
    CONSEQUENCES,
    DETECTIONS,
    FRAMEWORKS,
    GOAL_STATUSES,
    INCIDENT_KINDS,
    LEGAL_TITLES,
    ORGANISATION_KINDS,
    ORIGINS,
    OUTFLOW_TYPES,
    PAY_KINDS,
    RISK_LEVELS,
    ROLE_KINDS,
    SEARCH_KINDS,
    activities,
    employment,
    goals,
    incidents,
    job_search,
    partner_roles,
    plans,
    stay_phases,
    stays,
)
from dashboards.exports.datasets.workbook import (
    SHEETS,
    about_sheet,
    build_sheets,
    codebook_sheet,
    value_labels_sheet,
)

__all__ = [
    "ACTIVITY_STATUSES",
    "CASE_CODE",
    "CHANNELS",
    "CHUNK",
    "CODE",
    "CONSEQUENCES",
    "DETECTIONS",
    "END_REASONS",
    "FRAMEWORKS",
    "GENDER",
    "GOAL_CODE",
    "GOAL_STATUSES",
    "INCIDENT_KINDS",
    "LEGAL_TITLES",
    "MAX_SHIFT_DAYS",
    "MOMENTS",
    "ORGANISATION_KINDS",
    "ORIGINS",
    "OUTCOMES",
    "OUTFLOW_TYPES",
    "PAY_KINDS",
    "PERSON_COLUMNS",
    "PERSON_KEYS",
    "PSEUDONYM",
    "RECORD_PREFIXES",
    "RISK_LEVELS",
    "ROLE_KINDS",
    "SEARCH_KINDS",
    "SECURITY",
    "SHEETS",
    "SITE",
    "STAGE_KINDS",
    "STAGE_OUTCOMES",
    "STATUSES",
    "STAY_CODE",
    "STAY_KEYS",
    "SUFFIXES",
    "TEXT",
    "UNSPECIFIED_GROUP_CODE",
    "ExportAbout",
    "ExportFilters",
    "ItemInfo",
    "Sheet",
    "about_sheet",
    "activities",
    "b7_sheet",
    "build_sheets",
    "codebook_sheet",
    "date_shift_for",
    "employment",
    "goals",
    "incidents",
    "intake_cases",
    "intake_stages",
    "job_search",
    "kv_measurements",
    "kv_registration",
    "partner_roles",
    "person_long",
    "person_wide",
    "plans",
    "record_code",
    "registration_sheet",
    "respondent_group_column",
    "shift",
    "stay_phases",
    "stays",
    "stays_for",
    "value_labels_sheet",
]

"""Checking the rows of a list read by ``intake.importers`` against every
rule the import enforces: the person's own field rules, a plausible birth
date, gender codes of the person form, duplicates in the file and among
registered people, the site's status, intake process and criteria on the
list date and on each report date. Reads only; the same few queries for 10
rows or 20,000. The services in ``intake.services.imports`` store the result
and apply it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from core.dates import (
    DATE_IN_FUTURE,
    DATE_OUT_OF_RANGE,
    EARLIEST_DATE,
    LATEST_DATE,
    day_text,
    in_range,
)
from core.models import (
    GENDER_IMPORT_CODES,
    Gender,
    Person,
    Site,
    SiteStatus,
    birth_date_error,
)
from intake.importers import (
    COLUMNS,
    NO_CRITERIA_ON_LIST_DATE,
    NO_PROCESS_ON_LIST_DATE,
    PROGRESS_EVERY,
    ROUTE_NOT_ON_LIST_DATE,
    ROW_AMBIGUOUS,
    ROW_BAD_DATE,
    ROW_BAD_GENDER,
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
    _text,
    parse_date,
    read_rows,
)
from intake.models import (
    EntryRoute,
    ImportBatch,
    ImportKind,
    IntakeCase,
    IntakeOutcome,
)
from intake.services import (
    RECEIVING_STATUSES,
    process_on,
)


def _field_errors(error: ValidationError) -> list[str]:
    return [
        str(ROW_FIELD % {"column": column, "message": message})
        for column, messages in error.message_dict.items()
        for message in messages
    ]


GENDER_INPUTS: dict[str, str] | None = None


#: the fields of ``Person`` a list fills in, checked by the field's own rules
PERSON_TEXT_FIELDS = (
    "first_name",
    "last_name",
    "gender",
    "dji_number",
    "municipality_of_origin",
)


def _validate_row(row: ImportRow, *, kind: str, today: datetime.date) -> None:
    """The row's values typed and checked by the rules of the records it
    becomes: each ``Person`` field's own validation (length, DJI digits,
    gender choices), the date policy and ``Person``'s birth-date rule, the
    report date's range. No database query, no model instance."""
    global GENDER_INPUTS
    if GENDER_INPUTS is None:
        GENDER_INPUTS = _gender_inputs()
    raw = row.values
    clean: dict[str, Any] = {column: _text(raw.get(column)) for column in COLUMNS}
    for column in ("last_name", "first_name", "date_of_birth", "gender"):
        if not clean[column]:
            row.errors.append(str(ROW_REQUIRED % {"column": column}))
    for column in ("date_of_birth", "report_date"):
        value = raw.get(column)
        clean[column] = None
        if _text(value):
            try:
                clean[column] = parse_date(value, today)
            except (ValueError, OverflowError):
                row.errors.append(
                    str(ROW_BAD_DATE % {"column": column, "value": _text(value)[:40]})
                )
    if clean["gender"]:
        gender = GENDER_INPUTS.get(clean["gender"].lower())
        if gender is None:
            codes = ", ".join(GENDER_IMPORT_CODES[value] for value in Gender.values)
            row.errors.append(
                str(ROW_BAD_GENDER % {"value": clean["gender"][:20], "codes": codes})
            )
        clean["gender"] = gender
    if (
        kind == ImportKind.DIZ_CALL_UP
        and not clean["report_date"]
        and not any("report_date" in error for error in row.errors)
    ):
        row.errors.append(str(ROW_REPORT_DATE_REQUIRED))
    row.values = clean
    if row.errors:
        return
    meta = Person._meta
    for name in PERSON_TEXT_FIELDS:
        try:
            meta.get_field(name).clean(clean[name], None)
        except ValidationError as error:
            row.errors.extend(_field_errors(ValidationError({name: error})))
    born = clean["date_of_birth"]
    born_error = None
    if not in_range(born):
        born_error = ValidationError(
            DATE_OUT_OF_RANGE,
            params={"earliest": EARLIEST_DATE.year, "latest": LATEST_DATE.year},
        )
    elif born > today:
        born_error = ValidationError(DATE_IN_FUTURE, params={"today": day_text(today)})
    else:
        born_error = birth_date_error(born, today)
    if born_error is not None:
        row.errors.extend(_field_errors(ValidationError({"date_of_birth": born_error})))
    report = clean["report_date"]
    if report is not None and not in_range(report):
        row.errors.extend(
            _field_errors(
                ValidationError(
                    {
                        "report_date": ValidationError(
                            DATE_OUT_OF_RANGE,
                            params={
                                "earliest": EARLIEST_DATE.year,
                                "latest": LATEST_DATE.year,
                            },
                        )
                    }
                )
            )
        )


def _identity(row: ImportRow) -> list[tuple[str, ...]]:
    keys = []
    values = row.values
    if values["dji_number"]:
        keys.append(("dji", values["dji_number"].lower()))
    if values["date_of_birth"] and values["first_name"] and values["last_name"]:
        keys.append(
            (
                "name",
                values["first_name"].casefold(),
                values["last_name"].casefold(),
                str(values["date_of_birth"]),
            )
        )
    return keys


@dataclass
class _Known:
    """The site's registered people and open cases, read in two queries."""

    by_dji: dict[str, list[tuple]]
    by_name: dict[tuple[str, str, datetime.date], list[tuple]]
    open_cases: set[int]

    @classmethod
    def load(cls, site: Site) -> _Known:
        by_dji: dict[str, list[tuple]] = defaultdict(list)
        by_name: dict[tuple[str, str, datetime.date], list[tuple]] = defaultdict(list)
        for person in Person.objects.filter(site=site).values_list(
            "pk", "dji_number", "first_name", "last_name", "date_of_birth"
        ):
            _pk, dji, first, last, born = person
            if dji:
                by_dji[dji.strip().lower()].append(person)
            by_name[(first.strip().casefold(), last.strip().casefold(), born)].append(
                person
            )
        open_cases = set(
            IntakeCase.objects.filter(
                site=site, outcome=IntakeOutcome.OPEN
            ).values_list("person_id", flat=True)
        )
        return cls(by_dji=by_dji, by_name=by_name, open_cases=open_cases)

    def matches(self, values: dict[str, Any]) -> list[tuple]:
        found: dict[int, tuple] = {}
        if values["dji_number"]:
            for person in self.by_dji.get(values["dji_number"].lower(), []):
                found[person[0]] = person
        key = (
            values["first_name"].casefold(),
            values["last_name"].casefold(),
            values["date_of_birth"],
        )
        for person in self.by_name.get(key, []):
            found[person[0]] = person
        return list(found.values())


def _status_label(status: str) -> str:
    return str(SiteStatus(status).label) if status else "-"


class _Statuses:
    """A site's status over time, read once."""

    def __init__(self, site: Site) -> None:
        self.periods = list(
            site.status_periods.order_by("start").values_list("start", "end", "status")
        )

    def on(self, day: datetime.date) -> str:
        status = ""
        for start, end, period_status in self.periods:
            if start <= day and (end is None or end >= day):
                status = period_status
        return status


def _check_context(
    *,
    site: Site,
    list_date: datetime.date,
    entry_route: EntryRoute | None,
    statuses: _Statuses,
) -> tuple[list[str], dict[str, Any]]:
    """What the cases get on the list date, and why they could not be opened."""
    errors: list[str] = []
    context: dict[str, Any] = {}
    status = statuses.on(list_date)
    params = {"site": site.name, "day": list_date.strftime("%d-%m-%Y")}
    if status not in RECEIVING_STATUSES:
        errors.append(
            str(
                SITE_NOT_RECEIVING_ON_LIST_DATE
                % {**params, "status": _status_label(status)}
            )
        )
    process = process_on(site=site, day=list_date)
    if process is None:
        errors.append(str(NO_PROCESS_ON_LIST_DATE % params))
    else:
        context["process"] = f"{process.name} (v{process.version})"
        if (
            entry_route is not None
            and not process.entry_routes.filter(code=entry_route.code).exists()
        ):
            errors.append(
                str(ROUTE_NOT_ON_LIST_DATE % {"route": entry_route.name, **params})
            )
    criteria = site.criteria_version_on(list_date)
    if criteria is None:
        errors.append(str(NO_CRITERIA_ON_LIST_DATE % params))
    else:
        context["criteria_version"] = criteria.version
    return errors, context


def check_rows(
    rows: list[ImportRow],
    *,
    site: Site,
    kind: str,
    list_date: datetime.date | None = None,
    entry_route: EntryRoute | None = None,
    validate: bool = True,
    progress: Progress = _no_progress,
) -> tuple[list[str], dict[str, Any]]:
    """Check every row and match it to registered people; errors stay on the
    row. A constant number of queries, whatever the number of rows.

    Returns the errors of the list as a whole and what the cases would get
    (process and criteria version on the list date).
    """
    today = timezone.localdate()
    list_date = list_date or today
    statuses = _Statuses(site)
    file_errors, context = _check_context(
        site=site, list_date=list_date, entry_route=entry_route, statuses=statuses
    )
    known = _Known.load(site)
    seen: dict[tuple[str, ...], int] = {}
    total = len(rows)
    for done, row in enumerate(rows, start=1):
        if validate:
            _validate_row(row, kind=kind, today=today)
        row.person_id, row.action = None, "new"
        if done % PROGRESS_EVERY == 0:
            progress(done, total)
        for key in _identity(row):
            if key in seen:
                row.errors.append(str(ROW_DUPLICATE_IN_FILE % {"row": seen[key]}))
                break
        for key in _identity(row):
            seen.setdefault(key, row.number)
        report_date = row.values.get("report_date")
        if isinstance(report_date, datetime.date) and in_range(report_date):
            status = statuses.on(report_date)
            if status not in RECEIVING_STATUSES and status != "":
                row.errors.append(
                    str(
                        ROW_SITE_CLOSED_ON_REPORT_DATE
                        % {
                            "day": report_date.strftime("%d-%m-%Y"),
                            "site": site.name,
                            "status": _status_label(status),
                        }
                    )
                )
        if row.errors:
            continue
        values = row.values
        matches = known.matches(values)
        if len(matches) > 1:
            row.errors.append(str(ROW_AMBIGUOUS))
            continue
        if matches:
            pk, dji, first, last, born = matches[0]
            same = (
                first.strip().casefold() == values["first_name"].casefold()
                and last.strip().casefold() == values["last_name"].casefold()
                and born == values["date_of_birth"]
            )
            if not same:
                row.errors.append(str(ROW_DJI_CONFLICT % {"dji": values["dji_number"]}))
                continue
            if dji and values["dji_number"] and dji.lower() != values["dji_number"]:
                row.errors.append(str(ROW_OTHER_DJI % {"dji": dji}))
                continue
            row.person_id = pk
            row.action = "open_case" if pk in known.open_cases else "matched"
    progress(total, total)
    return file_errors, context


def import_check(
    *,
    handle: IO[bytes],
    name: str,
    site: Site,
    kind: str,
    list_date: datetime.date | None = None,
    entry_route: EntryRoute | None = None,
    progress: Progress = _no_progress,
) -> ImportCheck:
    """Read and check a list without writing anything."""
    rows, file_errors = read_rows(handle, name)
    context: dict[str, Any] = {}
    if not file_errors:
        file_errors, context = check_rows(
            rows,
            site=site,
            kind=kind,
            list_date=list_date,
            entry_route=entry_route,
            progress=progress,
        )
    return ImportCheck(rows=rows, file_errors=file_errors, context=context)


def stored_check(batch: ImportBatch) -> ImportCheck | None:
    """The check result kept with the batch (never recomputed)."""
    if not batch.check_result:
        return None
    return ImportCheck.from_json(batch.check_result)

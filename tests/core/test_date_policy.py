"""One date policy for every date of every model and form (``core.dates``).

The models and forms are enumerated, so a new date field is covered without
editing these tests.
"""

from __future__ import annotations

import datetime
import importlib
import pkgutil
from types import SimpleNamespace

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.dates import (
    DATE_IN_FUTURE,
    DATE_OUT_OF_RANGE,
    EARLIEST_DATE,
    LATEST_DATE,
    PlausibleDateFormField,
    add_days,
    add_months,
    day_text,
    shift_date,
)
from core.fields import FactDateField, PlannedDateField
from tests.dated_world import build_dated_world, date_fields, dated_models, is_history
from tests.factories import SiteFactory

OUT_OF_RANGE = str(DATE_OUT_OF_RANGE % {"earliest": 1900, "latest": 2199})
PROJECT_APPS = {
    "core",
    "intake",
    "trajectories",
    "partners",
    "evaluation",
    "dashboards",
}


def test_every_date_field_of_every_model_is_a_fact_or_a_planned_date():
    plain = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in date_fields(model)
        if not isinstance(field, PlannedDateField)
    ]
    assert plain == []


def _form_classes() -> list[type[forms.BaseForm]]:
    for app in PROJECT_APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" in info.name or ".management" in info.name:
                continue
            importlib.import_module(info.name)
    found, todo = [], [forms.BaseForm]
    while todo:
        for subclass in todo.pop().__subclasses__():
            todo.append(subclass)
            if subclass.__module__.split(".")[0] in PROJECT_APPS:
                found.append(subclass)
    return found


def test_every_date_field_of_every_form_accepts_only_the_plausible_range():
    classes = _form_classes()
    checked = [
        (form_class, name)
        for form_class in classes
        for name, field in getattr(form_class, "base_fields", {}).items()
        if isinstance(field, forms.DateField)
    ]
    plain = [
        f"{form_class.__module__}.{form_class.__name__}.{name}"
        for form_class, name in checked
        if not isinstance(form_class.base_fields[name], PlausibleDateFormField)
    ]
    assert plain == []
    assert len(checked) > 20  # the walk found the forms
    field = PlausibleDateFormField()
    for value in ("0001-01-01", "1899-12-31", "2200-01-01", "9999-12-31"):
        with pytest.raises(ValidationError) as caught:
            field.clean(value)
        assert caught.value.messages == [OUT_OF_RANGE]
    assert field.clean("1900-01-01") == EARLIEST_DATE
    assert field.clean("2199-12-31") == LATEST_DATE


@pytest.fixture
def dated_world(db):
    site = SiteFactory(code="eigen", name="KV Eigen")
    return build_dated_world(site, "OWNMARK")


def test_no_path_around_a_form_stores_a_date_outside_the_range(dated_world):
    """full_clean names the field; the database refuses a bulk update."""
    not_refused, checked = [], 0
    for model in dated_models():
        instance = model._base_manager.order_by("pk").first()
        fields = date_fields(model)
        for field in fields:
            checked += 1
            for value in (datetime.date(1, 1, 1), datetime.date(9999, 12, 31)):
                original = getattr(instance, field.attname)
                setattr(instance, field.attname, value)
                try:
                    instance.full_clean()
                    messages = []
                except ValidationError as error:
                    messages = error.message_dict.get(field.name, [])
                setattr(instance, field.attname, original)
                if OUT_OF_RANGE not in messages:
                    not_refused.append(f"clean {model.__name__}.{field.name}")
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(
                cursor, model._meta.db_table
            )
        single_column_checks = {
            column
            for info in constraints.values()
            if info["check"]
            for column in info["columns"]
            if set(info["columns"]) == {column}
        }
        not_refused += [
            f"no CHECK on {model.__name__}.{field.name}"
            for field in fields
            if field.column not in single_column_checks
        ]
        # All dates of the row at once, so no rule between them is broken and
        # only the range can refuse.
        for value in (datetime.date(1, 1, 1), datetime.date(9999, 12, 31)):
            try:
                with transaction.atomic():
                    model._base_manager.filter(pk=instance.pk).update(
                        **{field.attname: value for field in fields}
                    )
            except IntegrityError:
                continue
            not_refused.append(f"database {model.__name__} {value}")
    assert not_refused == []
    assert checked > 50


def test_facts_cannot_lie_in_the_future_planned_dates_may(dated_world):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    message = str(DATE_IN_FUTURE % {"today": day_text(timezone.localdate())})
    facts = planned = 0
    for model in dated_models():
        instance = model._base_manager.order_by("pk").first()
        for field in date_fields(model):
            original = getattr(instance, field.attname)
            setattr(instance, field.attname, tomorrow)
            try:
                instance.full_clean()
                errors = []
            except ValidationError as error:
                errors = error.message_dict.get(field.name, [])
            setattr(instance, field.attname, original)
            if isinstance(field, FactDateField):
                facts += 1
                assert message in errors, f"{model.__name__}.{field.name}"
            else:
                planned += 1
                assert message not in errors, f"{model.__name__}.{field.name}"
    assert facts > 30
    assert planned > 15


def test_history_tables_keep_the_same_range_check():
    history = [m for m in apps.get_models() if is_history(m) and date_fields(m)]
    assert history
    for model in history:
        for field in date_fields(model):
            assert isinstance(field, PlannedDateField), field


@pytest.mark.parametrize(
    ("day", "days", "expected"),
    [
        (datetime.date(1, 1, 1), -42, EARLIEST_DATE),
        (EARLIEST_DATE, -1, EARLIEST_DATE),
        (LATEST_DATE, 1, LATEST_DATE),
        (datetime.date(9999, 12, 31), 10**9, LATEST_DATE),
        (datetime.date(2020, 2, 28), 1, datetime.date(2020, 2, 29)),
    ],
)
def test_add_days_stays_within_the_range(day, days, expected):
    assert add_days(day, days) == expected


def test_add_months_and_shift_never_overflow():
    assert add_months(LATEST_DATE, 12) == LATEST_DATE
    assert add_months(EARLIEST_DATE, -1) == EARLIEST_DATE
    assert add_months(datetime.date(2021, 1, 31), 1) == datetime.date(2021, 2, 28)
    assert add_months(datetime.date(9999, 12, 31), 6) == LATEST_DATE
    assert shift_date(datetime.date.max, datetime.timedelta(days=30)) == (
        datetime.date.max
    )
    assert shift_date(datetime.date.min, datetime.timedelta(days=-30)) == (
        datetime.date.min
    )
    assert shift_date(LATEST_DATE, datetime.timedelta(days=1)) == datetime.date(
        2200, 1, 1
    )


def test_stored_dates_that_break_the_policy_are_reported_never_changed(db, capsys):
    from io import StringIO

    from django.core.management import call_command

    from core.migration_operations import report_implausible_dates
    from core.models import AuditEvent, Person
    from tests.factories import PersonFactory

    person = PersonFactory(site=SiteFactory(code="x"))
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    # a fact dated after today, stored before the policy (the database's
    # CHECK only knows the range)
    Person.objects.filter(pk=person.pk).update(date_of_birth=tomorrow)
    out = StringIO()
    call_command("check_dates", stdout=out)
    line = f"core_person id={person.pk} date_of_birth={tomorrow} (fact_in_future)"
    assert line in out.getvalue()

    # the migration's step, with the project's models as its registry
    report_implausible_dates("core")(apps, SimpleNamespace(connection=connection))
    event = AuditEvent.objects.get(kind="data_check")
    assert event.details["count"] == 1
    assert line in capsys.readouterr().out
    person.refresh_from_db()
    assert person.date_of_birth == tomorrow


def test_a_report_date_in_year_one_is_refused_and_the_pages_keep_working(
    client, dated_world
):
    """The reproduction of issue 10: 0001-01-01 as a case's report date."""
    from django.urls import reverse

    from core.scoping import Role
    from intake.models import IntakeCase
    from intake.services import case_update
    from tests.factories import user_with_role

    case = IntakeCase.objects.get(pk=dated_world["case_pk"])
    with pytest.raises(ValidationError) as caught:
        case_update(case=case, data={"report_date": datetime.date(1, 1, 1)}, actor=None)
    assert caught.value.message_dict["report_date"] == [OUT_OF_RANGE]
    case.refresh_from_db()
    assert case.report_date.year > 1
    client.force_login(user_with_role(Role.CASEMANAGER, case.site))
    for name in ("core:home", "intake:worklist", "intake:case_list"):
        assert client.get(reverse(name)).status_code == 200

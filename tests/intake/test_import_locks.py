"""A list being imported holds no lock anybody else's work waits for
(issue 10: others' pages stay fast while a 10,000-row list is imported).

On PostgreSQL only: SQLite locks the whole database for any write."""

from __future__ import annotations

import datetime

import psycopg2
import pytest
from django.db import connection

from intake.models import IntakeCase
from intake.services import imports as importers
from intake.services.imports import applying
from tests.factories import CriteriaVersionFactory
from tests.intake.test_import import _batch, _csv

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks of PostgreSQL"
)


def _site_row_free(site_pk: int) -> bool:
    """Whether another session can take the lock that committing a row which
    refers to the site takes (its foreign key check), without waiting."""
    settings = connection.settings_dict
    other = psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
    )
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM core_site WHERE id = %s FOR KEY SHARE NOWAIT", [site_pk]
            )
            return cursor.fetchone() == (1,)
    except psycopg2.errors.LockNotAvailable:
        return False
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
def test_others_can_write_for_the_site_while_a_list_is_imported(
    casemanager_almelo, almelo, almelo_process, monkeypatch
):
    CriteriaVersionFactory(site=almelo, version=1, valid_from=datetime.date(2019, 1, 1))
    batch = _batch(almelo, casemanager_almelo, _csv(5))
    free_meanwhile = []
    open_cases = applying.cases_open_from_list

    def opening_while_others_work(**kwargs):
        free_meanwhile.append(_site_row_free(almelo.pk))
        return open_cases(**kwargs)

    monkeypatch.setattr(applying, "cases_open_from_list", opening_while_others_work)
    importers.import_batch_apply(batch, actor=casemanager_almelo)
    assert free_meanwhile == [True]
    assert IntakeCase.objects.filter(import_batch=batch).count() == 5


def test_an_imported_list_leaves_the_planner_knowing_how_many_cases_there_are(
    casemanager_almelo, almelo, almelo_process
):
    """Pages read thousands of new cases right after an import with plans for
    that many, not for the few dozen the table held before (autovacuum may
    take a minute to notice)."""
    CriteriaVersionFactory(site=almelo, version=1, valid_from=datetime.date(2019, 1, 1))
    batch = _batch(almelo, casemanager_almelo, _csv(300))
    importers.import_batch_apply(batch, actor=casemanager_almelo)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN %s",
            [("intake_intakecase", "core_person")],
        )
        known = dict(cursor.fetchall())
    assert known == {"intake_intakecase": 300, "core_person": 300}

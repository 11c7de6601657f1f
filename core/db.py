"""Set-based writes the ORM has no method for."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, models


def insert_from_select(
    model: type[models.Model], columns: Sequence[str], rows: models.QuerySet
) -> int:
    """``INSERT INTO model (columns) SELECT ...`` in one statement; returns
    the number of rows inserted.

    ``rows`` must select exactly ``columns`` in this order (``values()``
    then ``annotate()``, or ``values_list()``): the rows are never fetched
    into Python. Saves, signals and history are skipped, as with
    ``bulk_create``: use it for summary tables that are rebuilt from their
    source. Runs on the queryset's database, in the caller's transaction.
    """
    connection = connections[rows.db]
    sql, params = rows.query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) {sql}", params)
        return cursor.rowcount

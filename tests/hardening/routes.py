"""Helpers shared by the hardening tests: every URL of the project (the same
enumeration as the permission matrix), a world of objects to fill them, and
cheap snapshots of the database."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.apps import apps
from django.db import connection
from django.urls import reverse

from tests.test_permission_matrix import Route, all_routes

__all__ = ["Route", "all_routes", "body_text", "row_counts", "table_rows", "url_for"]

# Rewritten on every request (SESSION_SAVE_EVERY_REQUEST): not case data.
# The read-access log is written by design when a page shows a person's data
# (tests/hardening/test_read_log.py checks it).
VOLATILE_TABLES = {"django_session", "core_readaccess"}


def url_for(route: Route, world: dict[str, Any]) -> str:
    return reverse(route.name, kwargs={key: world[key] for key in route.keywords})


def _tables() -> list[str]:
    names = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    return sorted(names - VOLATILE_TABLES)


def row_counts() -> tuple[int, ...]:
    """Row count of every table, in one query."""
    quote = connection.ops.quote_name
    selects = ", ".join(
        f"(SELECT COUNT(*) FROM {quote(table)})"  # noqa: S608 - model tables
        for table in _tables()
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + selects)
        return tuple(cursor.fetchone())


def table_rows() -> dict[str, list[tuple]]:
    """Every row of every table (except sessions), for exact comparisons."""
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy or meta.db_table in VOLATILE_TABLES:
            continue
        columns = [f.attname for f in meta.concrete_fields]
        rows[meta.db_table] = list(
            model._base_manager.order_by("pk").values_list(*columns)
        )
    return rows


def body_text(response: Any) -> str:
    """All text a response delivers, with zip-based files (xlsx) unpacked."""
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    parts = [content]
    if content[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                parts.extend(archive.read(name) for name in archive.namelist())
        except zipfile.BadZipFile:
            pass
    return "\n".join(part.decode("utf-8", errors="replace") for part in parts)

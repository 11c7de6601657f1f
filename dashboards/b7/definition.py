"""The rows of Bijlage 7 as data: read from ``fixtures/reference/b7.yaml``."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

B7_FILE = Path(settings.BASE_DIR) / "fixtures" / "reference" / "b7.yaml"


@cache
def b7_definition() -> list[dict[str, Any]]:
    with B7_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)["tables"]


def _row_vars() -> set[str]:
    return {
        var
        for table in b7_definition()
        for section in table["sections"]
        for row in section["rows"]
        for var in row.get("vars", ())
    }

"""Objects behind the dashboards app's URL keywords (an export job)."""

from __future__ import annotations

from typing import Any

from core.models import Site
from tests.factories.dashboards import ExportJobFactory


def build(site: Site, marker: str, world: dict[str, Any]) -> None:
    # A finished job without a file: the download answers with a redirect to
    # the job page, which is what a purged export does too.
    world["job_pk"] = ExportJobFactory(sites=[site]).pk

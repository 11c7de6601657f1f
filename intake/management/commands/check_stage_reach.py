"""Compare every intake case's stored stage reach (``CaseStageReach``) with a
recount of its stage events; ``--fix`` recounts the cases that differ."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from intake.models import refresh_stage_reach
from intake.selectors import stage_reach_drift

#: drifting cases listed one by one; the rest are counted
SHOWN = 50


class Command(BaseCommand):
    help = (
        "Report intake cases whose stored stage reach (furthest stage, kinds "
        "passed) differs from a recount of their stage events. Exits with an "
        "error when any differ, unless --fix recounts them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--fix",
            action="store_true",
            help="Recount the cases that differ (their stage events are kept).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        drift = stage_reach_drift()
        for case_id, stored, counted in drift[:SHOWN]:
            self.stdout.write(
                f"case {case_id}: stored {_shown(stored)}, recounted {_shown(counted)}"
            )
        if len(drift) > SHOWN:
            self.stdout.write(f"... and {len(drift) - SHOWN} more")
        if not drift:
            self.stdout.write("Every case's stage reach equals its recount.")
            return
        if options["fix"]:
            with transaction.atomic():
                refresh_stage_reach(case_id for case_id, _stored, _counted in drift)
            self.stdout.write(f"{len(drift)} cases recounted.")
            return
        raise CommandError(
            f"{len(drift)} cases differ from their recount; run with --fix."
        )


def _shown(value: tuple[int, int] | None) -> str:
    if value is None:
        return "nothing recorded"
    furthest, passed = value
    return f"furthest order {furthest}, kinds passed {passed:#b}"

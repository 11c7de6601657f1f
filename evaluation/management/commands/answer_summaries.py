from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from evaluation.summaries import refresh_measurement_summaries, summary_drift


class Command(BaseCommand):
    help = (
        "Check the answer summaries (answer counts and protective-factor "
        "scores per measurement) against a recount of the answers, or rebuild "
        "them all (after protective_factors.yaml changed)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument(
            "--check",
            action="store_true",
            help="List every stored row that differs from a recount; fails if any.",
        )
        action.add_argument(
            "--rebuild",
            action="store_true",
            help="Recompute every summary row from the answers.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"]:
            with transaction.atomic():
                refresh_measurement_summaries(measurement_ids=None)
            self.stdout.write("answer summaries rebuilt")
            return
        problems = summary_drift()
        for problem in problems[:50]:
            self.stdout.write(problem)
        if problems:
            raise CommandError(
                f"{len(problems)} summary rows differ from the answers; "
                "run with --rebuild"
            )
        self.stdout.write("answer summaries match the answers")

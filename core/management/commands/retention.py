from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.retention import (
    audit_events_past_retention,
    import_files_past_retention,
    people_past_retention,
    read_accesses_past_retention,
    retention_apply,
    retention_years,
)


class Command(BaseCommand):
    help = (
        "List people, audit events, kept import files and read-access log rows "
        "past their retention period "
        "(settings.KV_RETENTION_YEARS); with --confirm, pseudonymise them. "
        "Output shows pseudonyms only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--confirm",
            action="store_true",
            help="Pseudonymise what is listed (audited). Without it nothing changes.",
        )
        parser.add_argument(
            "--actor",
            default="",
            help="User name to record in the audit log as the one who ran it.",
        )
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="Reference date (YYYY-MM-DD); default today.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = options["today"]
        actor = None
        if options["actor"]:
            actor = get_user_model().objects.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(f"No user {options['actor']!r}.")
        periods = ", ".join(f"{k} {v}y" for k, v in retention_years().items())
        self.stdout.write(f"Retention periods: {periods}")
        due = people_past_retention(today=today)
        events = audit_events_past_retention(today=today).count()
        files = import_files_past_retention(today=today)
        reads = read_accesses_past_retention(today=today).count()
        for entry in due:
            person = entry.person
            self.stdout.write(
                f"  {person.site.code:<12} {person.pseudonym}  past {entry.kind}"
            )
        self.stdout.write(
            f"{len(due)} people, {events} audit events, {files} import files "
            f"and {reads} read-access log rows are past retention."
        )
        if not options["confirm"]:
            self.stdout.write("Nothing changed; run with --confirm to pseudonymise.")
            return
        result = retention_apply(actor=actor, today=today)
        self.stdout.write(
            f"Pseudonymised {len(result.people)} people and "
            f"{result.audit_events} audit events; deleted {result.import_files} "
            f"import files and {result.read_accesses} read-access log rows."
        )

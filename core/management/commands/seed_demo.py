from __future__ import annotations

import random
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from core.demo import DEMO_PASSWORD, DemoContext
from core.models import Site
from core.registry import dotted_paths


class Command(BaseCommand):
    help = "Fill the database with fictitious demo data for all five sites."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2021)

    def handle(self, *args: Any, **options: Any) -> None:
        if get_user_model().objects.filter(username="cm-almelo").exists():
            self.stdout.write("Demo data is already there.")
        else:
            if not Site.objects.exists():
                call_command("load_reference", stdout=self.stdout)
            self._seed(options["seed"])
        self._print_logins()

    @transaction.atomic
    def _seed(self, seed: int) -> None:
        ctx = DemoContext(
            rng=random.Random(seed),
            today=timezone.localdate(),
            sites={site.code: site for site in Site.objects.all()},
        )
        # Declared on each AppConfig; they use the same services as the UI.
        for dotted in dotted_paths("demo_steps"):
            import_string(dotted)(ctx)
            self.stdout.write(f"  {dotted}")

    def _print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        self.stdout.write("  cm-<site>         casemanager of one site")
        self.stdout.write("  pl-<site>         project leader of one site")
        self.stdout.write("  onderzoek-<site>  researcher of one site")
        self.stdout.write("  beheer-<site>     functional administrator of one site")
        self.stdout.write("  pl-programma, onderzoek-programma: all five sites")
        self.stdout.write("  sites: almelo, amsterdam, krimpen, middelburg, rotterdam")

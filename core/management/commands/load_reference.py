from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import import_string

from core.registry import dotted_paths


class Command(BaseCommand):
    help = "Load or update the reference data (sites, criteria, stages, catalogues)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--only", action="append", default=[], help="Dotted loader path to run."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Declared on each AppConfig; core's sites come first (INSTALLED_APPS order).
        loaders = options["only"] or dotted_paths("reference_loaders")
        for dotted in loaders:
            result = import_string(dotted)()
            count = len(result) if hasattr(result, "__len__") else result
            self.stdout.write(f"{dotted}: {count}")

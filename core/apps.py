from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Sites, people and access")
    reference_loaders = ["core.reference.sites_load"]
    demo_steps = ["core.demo.seed_users", "core.demo.seed_people"]

    def ready(self) -> None:
        from core import lookups, receivers  # noqa: F401

        lookups.register()

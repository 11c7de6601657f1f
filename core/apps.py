from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Sites, people and access")
    reference_loaders = ["core.reference.sites_load"]
    demo_steps = ["core.demo.seed_users", "core.demo.seed_people"]
    subject_access_sections = ["core.subject_access.person_sections"]

    def ready(self) -> None:
        from core import lookups, receivers  # noqa: F401
        from core.admin_scoping import scope_registered_admins

        lookups.register()
        # The admin has imported every app's admin module by now (it comes
        # first in INSTALLED_APPS), so every registration gets scoped.
        scope_registered_admins()

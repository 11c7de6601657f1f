from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from core.registry import Periodic


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Sites, people and access")
    reference_loaders = ["core.reference.sites_load"]
    demo_steps = [
        "core.demo.seed_users",
        "core.demo.seed_people",
        "core.demo.seed_notifications",
    ]
    periodic_tasks = [
        Periodic("worker heartbeat", "core.tasks.worker_heartbeat", "minutes", 1),
        Periodic("recover lost jobs", "core.tasks.jobs_recover", "minutes", 5),
        Periodic(
            "reminder e-mails",
            "core.tasks.reminder_digests_send",
            "daily",
            at="07:00",
        ),
        Periodic(
            "retention listing",
            "core.tasks.retention_listing_monthly",
            "monthly",
            at="06:00",
        ),
    ]
    subject_access_sections = ["core.subject_access.person_sections"]

    def ready(self) -> None:
        from core import lookups, receivers  # noqa: F401
        from core.admin_scoping import scope_registered_admins

        lookups.register()
        # The admin has imported every app's admin module by now (it comes
        # first in INSTALLED_APPS), so every registration gets scoped.
        scope_registered_admins()
        post_migrate.connect(
            _ensure_schedules, sender=self, dispatch_uid="kv_ensure_schedules"
        )


def _ensure_schedules(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """The application's periodic tasks exist after every migrate."""
    from core.jobs import schedules_ensure

    if "django_q_schedule" in connections[using].introspection.table_names():
        schedules_ensure()

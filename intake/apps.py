from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.registry import Periodic
from core.scoping import Role


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = _("Intake")
    subject_access_sections = ["intake.subject_access.sections"]
    reference_loaders = ["intake.reference.intake_processes_load"]
    demo_steps = ["intake.demo.seed_intake", "intake.demo.seed_taken_over_stages"]
    nav_items = [
        ("intake:worklist", _("Intake"), {Role.CASEMANAGER, Role.PROJECT_LEADER}),
    ]
    home_sections = ["intake.sections.home"]
    person_sections = ["intake.sections.person"]
    person_statuses = ["intake.selectors.person_statuses"]
    search_sections = ["intake.sections.search"]
    site_sections = ["intake.sections.site"]
    digest_lines = ["intake.digest.lines"]
    retention_file_purges = ["intake.services.imports.import_files_purge"]
    retention_files_due = ["intake.retention.files_due"]
    retention_records = ["intake.retention.records"]
    retention_scrubbed_text = ["intake.retention.scrubbed_text"]
    periodic_tasks = [
        # a write around the services (bulk update, raw SQL, a restored
        # table) would leave the funnel's summary behind: recount nightly
        Periodic(
            "stage reach check", "intake.tasks.stage_reach_check", "daily", at="03:00"
        )
    ]

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.scoping import CASE_READ_ROLES


class TrajectoriesConfig(AppConfig):
    name = "trajectories"
    verbose_name = _("Stays and plans")
    subject_access_sections = ["trajectories.subject_access.sections"]
    retention_records = ["trajectories.retention.records"]
    retention_scrubbed_text = ["trajectories.retention.scrubbed_text"]

    nav_items = [("trajectories:worklist", _("Plans to do"), CASE_READ_ROLES)]
    reference_loaders = ["trajectories.reference.plans_load"]
    home_sections = ["trajectories.sections.home"]
    person_sections = ["trajectories.sections.person"]
    person_statuses = ["trajectories.selectors.stays.person_statuses"]
    site_sections = ["trajectories.sections.site"]
    digest_lines = ["trajectories.digest.lines"]
    # Partners first (organisations and contacts), then stays and plans.
    demo_steps = [
        "partners.demo.seed_organisations",
        "trajectories.demo.seed_trajectories",
        "trajectories.demo.seed_taken_over_activities",
    ]

    def ready(self) -> None:
        from intake.signals import case_placed
        from trajectories.receivers import stay_for_placement

        case_placed.connect(stay_for_placement, dispatch_uid="kv_stay_for_placement")

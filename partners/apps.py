from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.scoping import REFERENCE_ROLES


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners")
    subject_access_sections = ["partners.subject_access.sections"]
    retention_scrubbed_text = ["partners.retention.scrubbed_text"]

    nav_items = [("partners:organisation_list", _("Partners"), REFERENCE_ROLES)]
    reference_loaders = ["partners.reference.partners_load"]
    person_sections = ["partners.sections.person"]
    site_sections = ["partners.sections.site"]
    # Organisations and contacts are seeded from the trajectories config so
    # they exist before the stays' plans refer to them; the per-case roles,
    # consents and network need the stays and come here.
    demo_steps = [
        "partners.demo.seed_case_partners",
        "partners.demo.seed_taken_over_roles",
    ]

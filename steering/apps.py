from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.scoping import Role

#: who reads meetings and the forecast (researchers: pseudonyms only)
STEERING_NAV_ROLES = {Role.PROJECT_LEADER, Role.CASEMANAGER, Role.RESEARCHER}


class SteeringConfig(AppConfig):
    name = "steering"
    verbose_name = _("Steering and forecast")
    reference_loaders = ["steering.reference.steering_load"]
    demo_steps = ["steering.demo.seed_steering"]
    nav_items = [("steering:index", _("Meetings"), STEERING_NAV_ROLES)]
    home_sections = ["steering.sections.home"]
    site_sections = ["steering.sections.site"]
    digest_lines = ["steering.digest.lines"]
    subject_access_sections = ["steering.subject_access.sections"]

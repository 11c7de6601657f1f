from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.registry import Periodic
from core.scoping import Role


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Evaluation")
    subject_access_sections = ["evaluation.subject_access.sections"]
    reference_loaders = ["evaluation.catalogue.load_catalogues"]
    demo_steps = ["evaluation.demo.seed_measurements"]
    nav_items = [
        (
            "evaluation:index",
            _("Evaluation"),
            {
                Role.RESEARCHER,
                Role.CASEMANAGER,
                Role.PROJECT_LEADER,
                Role.FUNCTIONAL_ADMIN,
            },
        )
    ]
    home_sections = ["evaluation.sections.home"]
    site_sections = ["evaluation.sections.site"]
    person_sections = ["evaluation.sections.person"]
    periodic_tasks = [
        # before the reminder e-mails of 07:00, so they count what fell due
        Periodic(
            "measurement schedules",
            "evaluation.tasks.measurement_schedules_sync",
            "daily",
            at="02:30",
        ),
        # a write around the services (bulk update, raw SQL, a restored
        # table) would leave the answer summaries behind: recount nightly
        Periodic(
            "answer summaries check",
            "evaluation.tasks.answer_summaries_check",
            "daily",
            at="03:15",
        ),
    ]
    digest_lines = ["evaluation.digest.lines"]
    search_sections = ["evaluation.sections.search"]
    timeline_entries = ["evaluation.selectors.timeline_entries"]

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from evaluation.models import Answer
        from evaluation.receivers import (
            factor_scores_follow_stay,
            measurement_schedule_follows_stay,
        )
        from evaluation.summaries import answer_saved_or_deleted
        from trajectories.signals import stay_changed

        stay_changed.connect(
            measurement_schedule_follows_stay,
            dispatch_uid="kv_measurement_schedule_follows_stay",
        )
        stay_changed.connect(
            factor_scores_follow_stay, dispatch_uid="kv_factor_scores_follow_stay"
        )
        # any save or delete of an answer keeps the answer summaries exact
        # (the services batch theirs: evaluation.summaries)
        for signal in (post_save, post_delete):
            signal.connect(
                answer_saved_or_deleted,
                sender=Answer,
                dispatch_uid=f"kv_answer_summaries_{signal is post_save}",
            )

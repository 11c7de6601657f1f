"""The individual plan in each site's own form, its goals, activities and reviews.

What a site's plan looks like (name, author, signature, which fields are
shown and required, which goal domains apply) is a ``PlanFormDefinition``
row loaded from ``fixtures/reference/plans.yaml``, never a branch on the site.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import check_not_before, day_text, raise_if
from core.fields import FactDateField, PlannedDateField
from core.models import Site
from core.scoping import SiteScopedQuerySet
from trajectories.models.stays import Stay

ACTIVITY_DONE_DATE_REQUIRED = _("Give the date on which the activity was done.")
NEXT_REVIEW_BEFORE_HELD = _("The next review cannot be before this review (%(day)s).")
BEFORE_PLAN = _("The date lies before the plan was drawn up (%(day)s).")


def check_not_before_plan(
    errors: dict[str, ValidationError],
    plan: IndividualPlan | None,
    *,
    field: str,
    value: datetime.date | None,
) -> None:
    """A date recorded on a plan does not lie before the plan was drawn up."""
    if plan is not None:
        check_not_before(
            errors,
            field=field,
            value=value,
            start=plan.drawn_up_on,
            message=BEFORE_PLAN,
        )


ACTIVITY_REASON_REQUIRED = _(
    "Say why this activity was not done. The reason is required: without it "
    "nobody can tell later why activities were or were not used."
)

# Plan fields a site's definition may show; everything else on the plan is
# common to all sites.
CONFIGURABLE_PLAN_FIELDS = (
    "written_by_detainee",
    "personal_goal",
    "regievoerder",
    "aftercare_coordinator",
    "aftercare_involved_on",
    "strengths_inventory_on",
    "risk_assessment_on",
    "risk_level",
    "risc_on",
    "restorative_aims",
    "signed_on",
    "agreement_document",
    "continues_after_detention",
)


class GoalFramework(models.TextChoices):
    PROTECTIVE_FACTOR = "protective_factor", _("protective factor")
    BASIC_CONDITION = "basic_condition", _("DJI basic condition")


class GoalDomain(models.Model):
    """A life area a goal belongs to (protective factor or basic condition)."""

    # In the admin, a functional administrator changes a domain only when the
    # plans of their own sites alone use it (core.admin_scoping).
    admin_sites_lookup = "plan_forms__site"

    framework = models.CharField(
        _("framework"), max_length=30, choices=GoalFramework.choices
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    report_lines = models.CharField(_("report lines"), max_length=50, blank=True)

    class Meta:
        ordering = ["framework", "order"]
        verbose_name = _("goal domain")
        verbose_name_plural = _("goal domains")

    def __str__(self) -> str:
        return self.name


class PlanFormDefinition(models.Model):
    """How one site's individual plan looks; reference data."""

    site_lookup = "site"

    site = models.OneToOneField(
        Site, on_delete=models.CASCADE, related_name="plan_form", verbose_name=_("site")
    )
    plan_name = models.CharField(_("name of the plan"), max_length=200)
    author = models.CharField(_("who writes the plan"), max_length=300)
    written_by_detainee = models.BooleanField(
        _("the detainee writes the plan himself"), default=False
    )
    signature_required = models.BooleanField(
        _("signed agreement required"), default=False
    )
    description = models.TextField(_("description"), blank=True)
    signatories = models.JSONField(
        _("signatories"),
        default=list,
        blank=True,
        help_text=_(
            "Who signs the printed plan, one signature line each, as the site's "
            "form names them."
        ),
    )
    fields = models.JSONField(
        _("fields"),
        default=list,
        blank=True,
        help_text=_(
            "The configurable plan fields, each with its name, whether it is "
            "required, its label and its help text."
        ),
    )
    domains = models.ManyToManyField(
        GoalDomain,
        blank=True,
        related_name="plan_forms",
        verbose_name=_("goal domains"),
    )
    review_interval_days = models.PositiveSmallIntegerField(
        _("review interval (days)"),
        default=28,
        help_text=_("A review is overdue when none was held for this many days."),
    )
    review_note = models.TextField(_("how progress is reviewed"), blank=True)
    default_legal_title = models.CharField(
        _("usual legal title"), max_length=20, blank=True
    )
    report_lines = models.CharField(_("report lines"), max_length=50, blank=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan form definition")
        verbose_name_plural = _("plan form definitions")

    def __str__(self) -> str:
        return f"{self.site.code}: {self.plan_name}"

    def field_specs(self) -> list[dict[str, Any]]:
        """The configured fields in order, unknown names left out."""
        return [
            spec
            for spec in self.fields or []
            if spec.get("name") in CONFIGURABLE_PLAN_FIELDS
        ]


class RiskLevel(models.TextChoices):
    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")


class IndividualPlan(models.Model):
    """The individual plan of one stay; every change is a new version."""

    site_lookup = "stay__site"
    person_lookup = "stay__person"

    stay = models.OneToOneField(
        Stay, on_delete=models.CASCADE, related_name="plan", verbose_name=_("stay")
    )
    name = models.CharField(_("name of the plan"), max_length=200)
    drawn_up_on = FactDateField(_("drawn up on"))
    written_by_detainee = models.BooleanField(
        _("written by the detainee himself"), null=True, blank=True
    )
    personal_goal = models.TextField(_("personal goal for the stay"), blank=True)
    regievoerder = models.CharField(_("regievoerder"), max_length=200, blank=True)
    aftercare_coordinator = models.CharField(
        _("after-care coordinator (nazorgcoördinator)"), max_length=200, blank=True
    )
    aftercare_involved_on = FactDateField(
        _("after-care coordinator involved since"), null=True, blank=True
    )
    strengths_inventory_on = FactDateField(
        _("krachteninventarisatie on"), null=True, blank=True
    )
    risk_assessment_on = FactDateField(_("risk assessment on"), null=True, blank=True)
    risk_level = models.CharField(
        _("risk of reoffending"), max_length=10, choices=RiskLevel.choices, blank=True
    )
    risc_on = FactDateField(_("RISC on"), null=True, blank=True)
    restorative_aims = models.TextField(
        _("restoration towards self, network, society and victim"), blank=True
    )
    signed_on = FactDateField(_("agreement signed on"), null=True, blank=True)
    agreement_document = models.CharField(
        _("agreement document"), max_length=200, blank=True
    )
    continues_after_detention = models.BooleanField(
        _("continues after detention"), null=True, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-drawn_up_on", "-pk"]
        verbose_name = _("individual plan")
        verbose_name_plural = _("individual plans")

    def __str__(self) -> str:
        return f"{self.name} ({day_text(self.drawn_up_on)})"

    def get_absolute_url(self) -> str:
        return reverse("trajectories:plan_detail", args=[self.pk])


class GoalStatus(models.TextChoices):
    OPEN = "open", _("open")
    ACHIEVED = "achieved", _("achieved")
    PARTLY = "partly", _("partly achieved")
    NOT_ACHIEVED = "not_achieved", _("not achieved")
    DROPPED = "dropped", _("dropped")


class Goal(models.Model):
    site_lookup = "plan__stay__site"
    person_lookup = "plan__stay__person"

    plan = models.ForeignKey(
        IndividualPlan,
        on_delete=models.CASCADE,
        related_name="goals",
        verbose_name=_("plan"),
    )
    domain = models.ForeignKey(
        GoalDomain,
        on_delete=models.PROTECT,
        related_name="goals",
        verbose_name=_("life area"),
    )
    description = models.TextField(_("goal"))
    target_date = PlannedDateField(_("target date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=GoalStatus.choices, default=GoalStatus.OPEN
    )

    # Optimistic locking (core.concurrency): bumped by every service save.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "domain__framework", "domain__order", "pk"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return self.description[:80]

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        plan = self.plan if self.plan_id else None
        check_not_before_plan(errors, plan, field="target_date", value=self.target_date)
        raise_if(errors)


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    NOT_DONE = "not_done", _("not done")


class Activity(models.Model):
    """An activity towards a goal; when it is not done the reason is recorded."""

    site_lookup = "goal__plan__stay__site"
    person_lookup = "goal__plan__stay__person"

    goal = models.ForeignKey(
        Goal,
        on_delete=models.CASCADE,
        related_name="activities",
        verbose_name=_("goal"),
    )
    description = models.CharField(_("activity"), max_length=300)
    responsible_organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_activities",
        verbose_name=_("responsible partner"),
    )
    responsible_person = models.CharField(
        _("responsible person"), max_length=200, blank=True
    )
    #: who actually did it; the responsible partner unless another party
    #: took the activity over (report L4969-4975)
    performing_organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="performed_plan_activities",
        verbose_name=_("performed by"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ActivityStatus.choices,
        default=ActivityStatus.PLANNED,
    )
    due_on = PlannedDateField(_("due date"), null=True, blank=True)
    done_on = FactDateField(_("done on"), null=True, blank=True)
    not_done_reason = models.TextField(_("reason it was not done"), blank=True)

    # Optimistic locking (core.concurrency): bumped by every service save.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["goal", "due_on", "pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="not_done") | ~Q(not_done_reason=""),
                name="activity_not_done_has_reason",
            ),
        ]
        indexes = [
            # the past-due list filters open activities by due date
            models.Index(fields=["status", "due_on"], name="activity_due"),
        ]

    def __str__(self) -> str:
        return self.description

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        if self.status == ActivityStatus.NOT_DONE and not self.not_done_reason.strip():
            errors["not_done_reason"] = ValidationError(
                ACTIVITY_REASON_REQUIRED, code="reason_required"
            )
        if self.status == ActivityStatus.DONE and self.done_on is None:
            errors["done_on"] = ValidationError(
                ACTIVITY_DONE_DATE_REQUIRED, code="done_on_required"
            )
        plan = self.goal.plan if self.goal_id else None
        check_not_before_plan(errors, plan, field="due_on", value=self.due_on)
        check_not_before_plan(errors, plan, field="done_on", value=self.done_on)
        raise_if(errors)

    @property
    def is_taken_over(self) -> bool:
        """Another party did the work than the one agreed."""
        return (
            self.responsible_organisation_id is not None
            and self.performing_organisation_id is not None
            and self.performing_organisation_id != self.responsible_organisation_id
        )

    def is_past_due(self, today: datetime.date) -> bool:
        return (
            self.status in (ActivityStatus.PLANNED, ActivityStatus.IN_PROGRESS)
            and self.due_on is not None
            and self.due_on < today
        )


class ReviewKind(models.TextChoices):
    MENTOR_TALK = "mentor_talk", _("mentor talk (mentorgesprek)")
    PROGRESS_MEETING = (
        "progress_meeting",
        _("progress meeting with partners and network (voortgangsbespreking)"),
    )
    BUDDY_TALK = "buddy_talk", _("1:1 talk with the buddy")
    EVALUATION = "evaluation", _("evaluation (evaluatiemoment)")
    CASE_MEETING = "case_meeting", _("case meeting (casusoverleg, MDO)")


class Review(models.Model):
    site_lookup = "plan__stay__site"
    person_lookup = "plan__stay__person"

    plan = models.ForeignKey(
        IndividualPlan,
        on_delete=models.CASCADE,
        related_name="reviews",
        verbose_name=_("plan"),
    )
    held_on = FactDateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=ReviewKind.choices)
    participants = models.CharField(_("participants"), max_length=300, blank=True)
    notes = models.TextField(_("notes"))
    next_review_on = PlannedDateField(_("next review"), null=True, blank=True)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("progress review")
        verbose_name_plural = _("progress reviews")
        constraints = [
            models.CheckConstraint(
                condition=Q(next_review_on__isnull=True)
                | Q(next_review_on__gte=F("held_on")),
                name="review_next_after_held",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {day_text(self.held_on)}"

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        plan = self.plan if self.plan_id else None
        check_not_before_plan(errors, plan, field="held_on", value=self.held_on)
        check_not_before(
            errors,
            field="next_review_on",
            value=self.next_review_on,
            start=self.held_on,
            message=NEXT_REVIEW_BEFORE_HELD,
        )
        raise_if(errors)

"""Work during the stay: jobs, the site's work rules, employer checks, job search."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import day_text, raise_if
from core.fields import DatedPeriod, FactDateField, PlannedDateField
from core.models import Site
from core.scoping import SiteScopedQuerySet
from trajectories.models.stays import Stay, check_within_stay

HOURS_IMPLAUSIBLE = _("Give the hours per week as a number from 0 to 80.")
JOB_SEARCH_REASON_REQUIRED = _(
    "Say why this activity was not used. The reason is required."
)


class PayKind(models.TextChoices):
    """Deliberately without 'unknown' (report L8465: one job type was unknown)."""

    PAID = "paid", _("paid")
    UNPAID = "unpaid", _("unpaid")
    VOLUNTEER = "volunteer", _("volunteer work")


class JobOrigin(models.TextChoices):
    KEPT = "kept", _("kept during detention")
    FOUND = "found", _("found during detention")


class Employment(DatedPeriod):
    """A job or work-experience place of a person during a stay.

    The start may lie in the future: a job agreed with the employer that
    begins later (a planned start). Whether it has begun follows from the
    date; the site's work rules are checked on the placement date.
    """

    site_lookup = "stay__site"
    person_lookup = "stay__person"

    stay = models.ForeignKey(
        Stay, on_delete=models.CASCADE, related_name="jobs", verbose_name=_("stay")
    )
    employer = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        related_name="employments",
        verbose_name=_("employer"),
    )
    job_title = models.CharField(_("job"), max_length=200)
    hours_per_week = models.DecimalField(
        _("hours per week"), max_digits=4, decimal_places=1
    )
    pay_kind = models.CharField(
        _("paid / unpaid / volunteer"), max_length=20, choices=PayKind.choices
    )
    started_on = PlannedDateField(_("in service since"))
    origin = models.CharField(
        _("kept or found"), max_length=10, choices=JobOrigin.choices
    )
    ended_on = FactDateField(_("ended on"), null=True, blank=True)
    continued_after_outflow = models.BooleanField(
        _("continued after outflow"), null=True, blank=True
    )
    verifiable_with_employer = models.BooleanField(
        _("attendance verifiable with the employer"), default=False
    )
    within_travel_distance = models.BooleanField(
        _("at an acceptable travel distance from the KV"), default=False
    )
    employer_contact = models.CharField(
        _("contact at the employer"), max_length=200, blank=True
    )
    agreements = models.TextField(
        _("agreements with the employer"),
        blank=True,
        help_text=_("E.g. working times, how the KV checks attendance."),
    )
    rule_breach_reason = models.TextField(
        _("reason to accept the job against the work rules"),
        blank=True,
        help_text=_(
            "Required when the job does not meet the site's work rules; "
            "such a job shows under Plans to do."
        ),
    )

    # Optimistic locking (core.concurrency): bumped by every service save.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_on", "-pk"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        constraints = [
            DatedPeriod.end_after_start("employment_end_after_start"),
            models.CheckConstraint(
                condition=Q(pay_kind__in=["paid", "unpaid", "volunteer"]),
                name="employment_pay_kind_known",
            ),
            models.CheckConstraint(
                condition=Q(hours_per_week__gte=0) & Q(hours_per_week__lte=80),
                name="employment_hours_plausible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.job_title} ({self.employer})"

    def get_absolute_url(self) -> str:
        return reverse("trajectories:employment_update", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        self.check_period(errors)
        hours = self.hours_per_week
        if hours is not None and not Decimal(0) <= Decimal(hours) <= Decimal(80):
            errors["hours_per_week"] = ValidationError(
                HOURS_IMPLAUSIBLE, code="hours_implausible"
            )
        raise_if(errors)

    def months_in_service_on(self, day: datetime.date) -> int:
        start = self.started_on
        months = (day.year - start.year) * 12 + day.month - start.month
        return months - (day.day < start.day)


class WorkRuleKind(models.TextChoices):
    MIN_HOURS = "min_hours_per_week", _("minimum hours per week")
    MIN_MONTHS = "min_months_in_service", _("minimum months in service at placement")
    VERIFIABLE = "verifiable_with_employer", _("verifiable with the employer")
    TRAVEL_DISTANCE = (
        "within_travel_distance",
        _("at an acceptable travel distance from the KV"),
    )


class WorkRule(models.Model):
    """A site's rule for work (Middelburg >= 24 h/week, Rotterdam >= 3 months)."""

    site_lookup = "site"

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="work_rules",
        verbose_name=_("site"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=WorkRuleKind.choices)
    value = models.DecimalField(
        _("value"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    text = models.TextField(_("rule as written in the report"))
    report_lines = models.CharField(_("report lines"), max_length=50, blank=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["site", "kind"]
        verbose_name = _("work rule")
        verbose_name_plural = _("work rules")
        constraints = [
            models.UniqueConstraint(fields=["site", "kind"], name="work_rule_unique"),
        ]

    def __str__(self) -> str:
        return self.text


class EmployerCheckMethod(models.TextChoices):
    PHONE = "phone", _("phone call")
    VISIT = "visit", _("visit")
    DOCUMENT = "document", _("document (contract, payslip)")
    REFERENCE = "reference", _("reference talk")


class EmployerCheck(models.Model):
    """A check by the KV with the employer (werkgeverscheck, attendance)."""

    site_lookup = "employment__stay__site"
    person_lookup = "employment__stay__person"

    employment = models.ForeignKey(
        Employment,
        on_delete=models.CASCADE,
        related_name="checks",
        verbose_name=_("employment"),
    )
    checked_on = FactDateField(_("date"))
    method = models.CharField(
        _("method"), max_length=20, choices=EmployerCheckMethod.choices
    )
    confirmed = models.BooleanField(_("employer confirmed"), default=True)
    checked_by = models.CharField(_("checked by"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-checked_on", "-pk"]
        verbose_name = _("employer check")
        verbose_name_plural = _("employer checks")

    def __str__(self) -> str:
        return f"{self.get_method_display()} {day_text(self.checked_on)}"


class JobSearchKind(models.TextChoices):
    """Bijlage 7, table B7.2 (report L8446-8460)."""

    LABOUR_CONSULTANT = (
        "labour_consultant",
        _("Ondersteuning arbeidsconsulent (support by a labour consultant)"),
    )
    VACANCY_SEARCH = (
        "vacancy_search",
        _("Actief zoeken naar vacatures door gedetineerde (own vacancy search)"),
    )
    EMPLOYER_CONTACT = (
        "employer_contact",
        _("Contact leggen met werkgevers door gedetineerde (employer contacts)"),
    )
    JOB_INTERVIEW = (
        "job_interview",
        _("Gesprekken met werkgevers door gedetineerde (job interviews)"),
    )
    COURSE = "course", _("Deelname cursus of training (course or training)")
    THEME_EVENING = "theme_evening", _("Deelname thema-avond (theme evening)")


class JobSearchActivity(models.Model):
    """Whether a job-search activity was used, and why not when it was not."""

    site_lookup = "stay__site"
    person_lookup = "stay__person"

    stay = models.ForeignKey(
        Stay,
        on_delete=models.CASCADE,
        related_name="job_search",
        verbose_name=_("stay"),
    )
    kind = models.CharField(_("activity"), max_length=30, choices=JobSearchKind.choices)
    used = models.BooleanField(_("used"), default=True)
    occurred_on = FactDateField(_("date"))
    reason_not_used = models.TextField(_("reason it was not used"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("job-search activity")
        verbose_name_plural = _("job-search activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(used=True) | ~Q(reason_not_used=""),
                name="job_search_not_used_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        if not self.used and not self.reason_not_used.strip():
            errors["reason_not_used"] = ValidationError(
                JOB_SEARCH_REASON_REQUIRED, code="reason_required"
            )
        check_within_stay(
            errors,
            self.stay if self.stay_id else None,
            field="occurred_on",
            value=self.occurred_on,
        )
        raise_if(errors)


def rule_check(rule: WorkRule, job: Employment, placed_on: datetime.date) -> bool:
    """Whether ``job`` meets ``rule``; one small check per rule kind."""
    return WORK_RULE_CHECKS[rule.kind](rule, job, placed_on)


def _number(value: Decimal | int | None) -> str:
    text = f"{Decimal(value or 0):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def rule_breach_text(rule: WorkRule, job: Employment, placed_on: datetime.date) -> str:
    """What ``rule`` asks and what ``job`` has, for a message or a list."""
    if rule.kind == WorkRuleKind.MIN_HOURS:
        return str(RULE_MIN_HOURS) % {
            "value": _number(rule.value),
            "actual": _number(job.hours_per_week),
        }
    if rule.kind == WorkRuleKind.MIN_MONTHS:
        return str(RULE_MIN_MONTHS) % {
            "value": _number(rule.value),
            "actual": max(job.months_in_service_on(placed_on), 0),
        }
    return str(rule.get_kind_display())


RULE_MIN_HOURS = _("at least %(value)s hours per week (this job: %(actual)s)")
RULE_MIN_MONTHS = _(
    "at least %(value)s months in service at placement (this job: %(actual)s)"
)


WORK_RULE_CHECKS = {
    WorkRuleKind.MIN_HOURS: lambda rule, job, placed_on: (
        job.hours_per_week >= (rule.value or Decimal(0))
    ),
    WorkRuleKind.MIN_MONTHS: lambda rule, job, placed_on: (
        job.months_in_service_on(placed_on) >= int(rule.value or 0)
    ),
    WorkRuleKind.VERIFIABLE: lambda rule, job, placed_on: job.verifiable_with_employer,
    WorkRuleKind.TRAVEL_DISTANCE: lambda rule, job, placed_on: (
        job.within_travel_distance
    ),
}

"""Incidents during a stay: kind, detection and consequence."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import check_not_before, day_text, raise_if
from core.fields import FactDateField
from core.scoping import SiteScopedQuerySet
from trajectories.models.stays import (
    DECIDED_BEFORE_OCCURRED,
    RETURN_DAYS_REQUIRED,
    Stay,
    check_within_stay,
)


class IncidentKind(models.TextChoices):
    DRUG_USE = "drug_use", _("drug use")
    RULE_BREACH = "rule_breach", _("breach of the house rules or agreements")
    SMUGGLING = "smuggling", _("smuggling")
    AGGRESSION = "aggression", _("aggression")
    PLAN_EFFORT = "plan_effort", _("insufficient effort on the plan")
    ABSENCE = "absence", _("not back on time / absent from work")
    OTHER = "other", _("other")


class Detection(models.TextChoices):
    URINE_TEST = "urine_test", _("urine test (UC)")
    SEARCH = "search", _("search or cell inspection")
    STAFF = "staff", _("observed by staff")
    EMPLOYER_CHECK = "employer_check", _("employer check")
    ELECTRONIC = "electronic", _("electronic monitoring")
    POLICE = "police", _("police")
    SELF_REPORTED = "self_reported", _("reported by the person himself")
    OTHER = "other", _("other")


class Consequence(models.TextChoices):
    NONE = "none", _("no consequence")
    WARNING = "warning", _("warning")
    TEMPORARY_RETURN = "temporary_return", _("temporary return to the PI")
    DEFINITIVE_RETURN = "definitive_return", _("definitive return to the PI")


class Incident(models.Model):
    """An incident or violation during a stay and what was decided."""

    site_lookup = "stay__site"
    person_lookup = "stay__person"

    stay = models.ForeignKey(
        Stay, on_delete=models.CASCADE, related_name="incidents", verbose_name=_("stay")
    )
    occurred_on = FactDateField(_("date"))
    kind = models.CharField(_("type"), max_length=20, choices=IncidentKind.choices)
    detection = models.CharField(
        _("how detected"), max_length=20, choices=Detection.choices
    )
    consequence = models.CharField(
        _("consequence"), max_length=20, choices=Consequence.choices
    )
    return_days = models.PositiveSmallIntegerField(
        _("duration of the return (days)"), null=True, blank=True
    )
    decided_on = FactDateField(_("decided on"), null=True, blank=True)
    decided_by = models.CharField(
        _("decided by"),
        max_length=200,
        blank=True,
        help_text=_("E.g. weegtafel, DIZ selectiefunctionaris, PI directie, RC."),
    )
    description = models.TextField(_("description"), blank=True)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        constraints = [
            models.CheckConstraint(
                # isnull spelled out: NULL > 0 is unknown, which a check passes
                condition=~Q(consequence="temporary_return")
                | Q(return_days__isnull=False, return_days__gt=0),
                name="incident_temporary_return_has_duration",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {day_text(self.occurred_on)}"

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        check_within_stay(
            errors,
            self.stay if self.stay_id else None,
            field="occurred_on",
            value=self.occurred_on,
        )
        check_not_before(
            errors,
            field="decided_on",
            value=self.decided_on,
            start=self.occurred_on,
            message=DECIDED_BEFORE_OCCURRED,
        )
        if self.consequence == Consequence.TEMPORARY_RETURN and not self.return_days:
            errors["return_days"] = ValidationError(
                RETURN_DAYS_REQUIRED, code="return_days_required"
            )
        raise_if(errors)

"""The programme phases of a site and the phases of a stay."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import check_not_before, day_text, raise_if
from core.fields import DatedPeriod, FactDateField, PlannedDateField
from core.models import PlaceType, Site
from core.scoping import SiteScopedQuerySet
from trajectories.models.stays import LegalTitle, Regime, Stay, check_within_stay


class ProgrammePhase(models.Model):
    """A phase of a site's programme (Krimpen: DC I, DC II, DC IIa).

    Reference data from ``fixtures/reference/plans.yaml``.
    """

    site_lookup = "site"

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="programme_phases",
        verbose_name=_("site"),
    )
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    place_type = models.ForeignKey(
        PlaceType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("usual place type"),
    )
    valid_from = PlannedDateField(_("runs from"), null=True, blank=True)
    valid_to = PlannedDateField(_("runs until"), null=True, blank=True)
    regime = models.CharField(
        _("regime"), max_length=20, choices=Regime.choices, blank=True
    )
    outside_work = models.BooleanField(
        _("work outside the PI possible"), null=True, blank=True
    )
    legal_title = models.CharField(
        _("legal title of a placement in this phase"),
        max_length=20,
        choices=LegalTitle.choices,
        blank=True,
        help_text=_("Empty: the site's usual legal title."),
    )
    report_lines = models.CharField(_("report lines"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["site", "order"]
        verbose_name = _("programme phase")
        verbose_name_plural = _("programme phases")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "code"], name="programme_phase_unique_code"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="programme_phase_valid_to_after_from",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        check_not_before(
            errors, field="valid_to", value=self.valid_to, start=self.valid_from
        )
        raise_if(errors)

    def runs_on(self, day: datetime.date) -> bool:
        """Whether the phase existed on ``day`` (both ends included)."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class StayPhase(DatedPeriod):
    """A period of a stay in one programme phase on one place type.

    Every change of phase or place type closes the open period and opens a
    new one, so occupancy by place type and length per phase follow from
    these rows.
    """

    site_lookup = "stay__site"
    person_lookup = "stay__person"

    stay = models.ForeignKey(
        Stay, on_delete=models.CASCADE, related_name="phases", verbose_name=_("stay")
    )
    phase = models.ForeignKey(
        ProgrammePhase,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="periods",
        verbose_name=_("programme phase"),
    )
    place_type = models.ForeignKey(
        PlaceType,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("place type"),
    )
    ended_on = FactDateField(_("until"), null=True, blank=True)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["stay", "started_on", "pk"]
        verbose_name = _("phase period")
        verbose_name_plural = _("phase periods")
        constraints = [
            DatedPeriod.end_after_start("stay_phase_end_after_start"),
        ]
        indexes = [
            # capacity checks count open periods per place type on a day
            models.Index(
                fields=["place_type", "started_on", "ended_on"],
                name="stay_phase_occupancy",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.phase or self.place_type} {day_text(self.started_on)}"

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        stay = self.stay if self.stay_id else None
        check_within_stay(errors, stay, field="started_on", value=self.started_on)
        self.check_period(errors)
        check_within_stay(errors, stay, field="ended_on", value=self.ended_on)
        raise_if(errors)

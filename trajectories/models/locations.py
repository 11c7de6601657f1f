"""Where a person stays during a stay: location periods."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import day_text, raise_if
from core.fields import DatedPeriod
from core.scoping import SiteScopedQuerySet
from trajectories.models.stays import Stay, check_within_stay


class LocationStatus(models.TextChoices):
    IN_KV = "in_kv", _("in the KV")
    HOME_EM = "home_em", _("at home with electronic monitoring")
    RETURNED_PI = "returned_pi", _("temporarily returned to the PI")
    EXTERNAL = "external", _("elsewhere (hospital, leave)")


class LocationPeriod(DatedPeriod):
    """Where the person physically is, when that is not the KV itself.

    Outside these periods a person with an open stay is in the KV.
    """

    site_lookup = "stay__site"
    person_lookup = "stay__person"

    stay = models.ForeignKey(
        Stay, on_delete=models.CASCADE, related_name="locations", verbose_name=_("stay")
    )
    status = models.CharField(
        _("location"), max_length=20, choices=LocationStatus.choices
    )
    reason = models.TextField(_("reason"), blank=True)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["stay", "started_on", "pk"]
        verbose_name = _("location period")
        verbose_name_plural = _("location periods")
        constraints = [
            DatedPeriod.end_after_start("location_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {day_text(self.started_on)}"

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        stay = self.stay if self.stay_id else None
        check_within_stay(errors, stay, field="started_on", value=self.started_on)
        self.check_period(errors)
        check_within_stay(errors, stay, field="ended_on", value=self.ended_on)
        raise_if(errors)

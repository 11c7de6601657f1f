"""Stays in a KV and the individual plan."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import Person, PlaceType, Site
from core.scoping import SiteScopedQuerySet


class OutflowType(models.TextChoices):
    END_OF_SENTENCE = "end_of_sentence", _("end of sentence")
    DETENTION_PHASING = "detention_phasing", _("detention phasing")
    RETURN_TO_PI = "return_to_pi", _("definitive return to the PI")
    TRANSFER = "transfer", _("transfer")
    KV_CLOSED = "kv_closed", _("closure of the KV")
    WITHDRAWAL = "withdrawal", _("withdrawal")


class Stay(models.Model):
    """A placement of a person in a KV, from placement to outflow."""

    site_lookup = "site"
    person_lookup = "person"

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="stays")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="stays")
    intake_case = models.OneToOneField(
        "intake.IntakeCase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stay",
        verbose_name=_("intake case"),
    )
    place_type = models.ForeignKey(
        PlaceType, on_delete=models.PROTECT, related_name="stays"
    )
    placed_on = models.DateField(_("placement date"))
    expected_end = models.DateField(_("expected end"), null=True, blank=True)
    participant = models.BooleanField(
        _("participant"),
        default=True,
        help_text=_("Non-participants fill KV places without passing the KV intake."),
    )
    ended_on = models.DateField(_("outflow date"), null=True, blank=True)
    outflow_type = models.CharField(
        _("outflow type"), max_length=30, choices=OutflowType.choices, blank=True
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-placed_on", "-pk"]
        verbose_name = _("stay")
        verbose_name_plural = _("stays")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("placed_on")),
                name="stay_outflow_after_placement",
            ),
        ]
        indexes = [
            # occupancy per day scans stays overlapping a period per site
            models.Index(fields=["site", "placed_on", "ended_on"], name="stay_period"),
        ]

    def __str__(self) -> str:
        return f"{_('stay')} {self.placed_on}"

    def get_absolute_url(self) -> str:
        return reverse("trajectories:stay_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.ended_on is None

"""A person's stay in a KV: placement, expected end and outflow, and the
date rules every record of a stay follows.

Occupancy per day and length of stay per phase are derived from these rows
(``trajectories.selectors``); nothing here stores a count. Phases, steps,
location periods and incidents of a stay have their own modules.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import check_not_after, check_not_before, day_text, raise_if
from core.fields import FactDateField, PlannedDateField
from core.models import Person, PlaceType, Site
from core.scoping import SiteScopedQuerySet

STAY_ALREADY_OPEN = _(
    "This person already has a stay that has not ended. Register its outflow "
    "before placing the person again."
)
STAY_OVERLAPS_OPEN = _(
    "This person is still placed since %(start)s. Register the outflow of "
    "that stay before placing the person again."
)
STAY_OVERLAPS = _(
    "This person was placed from %(start)s until %(end)s; a new placement "
    "cannot overlap that stay."
)
EXPECTED_END_BEFORE_PLACEMENT = _(
    "The expected end cannot be before the placement date (%(day)s)."
)
OUTFLOW_BEFORE_PLACEMENT = _(
    "The outflow date cannot be before the placement date (%(day)s)."
)
OUTFLOW_TYPE_REQUIRED = _("Choose the outflow type.")
RETURN_DAYS_REQUIRED = _("Give the duration of the temporary return in days.")
DECIDED_BEFORE_OCCURRED = _("The decision cannot be before the incident (%(day)s).")
PLACED_BEFORE_CASE_OPENED = _(
    "The placement date cannot be before the intake case was opened (%(day)s)."
)
BEFORE_PLACEMENT = _("The date must fall within the stay (from %(day)s).")
AFTER_OUTFLOW = _("The date must fall within the stay (until %(day)s).")


def check_within_stay(
    errors: dict[str, ValidationError],
    stay: Stay | None,
    *,
    field: str,
    value: datetime.date | None,
) -> None:
    """A date of something that belongs to a stay lies within the stay."""
    if stay is None:
        return
    check_not_before(
        errors, field=field, value=value, start=stay.placed_on, message=BEFORE_PLACEMENT
    )
    check_not_after(
        errors, field=field, value=value, end=stay.ended_on, message=AFTER_OUTFLOW
    )


class OutflowType(models.TextChoices):
    END_OF_SENTENCE = "end_of_sentence", _("end of sentence")
    DETENTION_PHASING = "detention_phasing", _("detention phasing")
    RETURN_TO_PI = "return_to_pi", _("definitive return to the PI")
    TRANSFER = "transfer", _("transfer")
    KV_CLOSED = "kv_closed", _("closure of the KV")
    WITHDRAWAL = "withdrawal", _("withdrawal")


class LegalTitle(models.TextChoices):
    """The legal frame of a placement.

    Report L2974 (BBA), L1556-1557 (ZBBI), L3928-3929 (TVI), L2574 (RC),
    L3443 (art. 43 lid 3 Pbw).
    """

    BBA = "bba", "BBA"
    ZBBI = "zbbi", "ZBBI"
    TVI = "tvi", _("Tijdelijk Verlaten Inrichting (TVI)")
    RC_SUSPENSION = (
        "rc_suspension",
        _("suspension of pre-trial detention under conditions by the RC"),
    )
    ART_43_3_PBW = "art_43_3_pbw", _("placement under art. 43 lid 3 Pbw")
    CLOSED_REGIME = "closed_regime", _("closed regime in the PI")


class Regime(models.TextChoices):
    """The regime of a programme phase (Krimpen: DC I closed, DC II open on
    ZBBI places, DC IIa closed again from May 2020; report L3546-3557)."""

    CLOSED = "closed", _("closed regime")
    OPEN = "open", _("open regime")


class StayQuerySet(SiteScopedQuerySet):
    """The one definition of the stay counts every page, export and e-mail uses.

    - placed ("geplaatst", "instroom"): the placement day lies in the period;
    - ended ("uitstroom"): the outflow day lies in the period;
    - present ("in de KV") on a day: placed on or before it and not yet left;
      the outflow day itself no longer counts (periods are half-open).
    """

    def placed_between(self, start: datetime.date, end: datetime.date) -> StayQuerySet:
        return self.filter(placed_on__range=(start, end))

    def ended_between(self, start: datetime.date, end: datetime.date) -> StayQuerySet:
        return self.filter(ended_on__range=(start, end))

    def present_on(self, day: datetime.date) -> StayQuerySet:
        return self.filter(placed_on__lte=day).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=day)
        )

    def overlapping(self, start: datetime.date, end: datetime.date) -> StayQuerySet:
        """Stays present on at least one day from ``start`` to ``end``."""
        return self.filter(placed_on__lte=end).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=start)
        )


class Stay(models.Model):
    """A placement of a person in a KV, from placement to outflow."""

    site_lookup = "site"
    person_lookup = "person"

    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="stays", verbose_name=_("site")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="stays", verbose_name=_("person")
    )
    intake_case = models.OneToOneField(
        "intake.IntakeCase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stay",
        verbose_name=_("intake case"),
    )
    place_type = models.ForeignKey(
        PlaceType,
        on_delete=models.PROTECT,
        related_name="stays",
        verbose_name=_("place type"),
    )
    placed_on = FactDateField(_("placement date"))
    expected_end = PlannedDateField(_("expected end"), null=True, blank=True)
    participant = models.BooleanField(
        _("participant"),
        default=True,
        help_text=_("Non-participants fill KV places without passing the KV intake."),
    )
    legal_title = models.CharField(
        _("legal title"), max_length=20, choices=LegalTitle.choices, blank=True
    )
    ended_on = FactDateField(_("outflow date"), null=True, blank=True)
    outflow_type = models.CharField(
        _("outflow type"), max_length=30, choices=OutflowType.choices, blank=True
    )
    aftercare_municipality = models.CharField(
        _("after-care municipality"), max_length=100, blank=True
    )
    outflow_note = models.TextField(_("outflow note"), blank=True)
    version = models.PositiveIntegerField(
        default=1, editable=False, verbose_name=_("version")
    )

    objects = StayQuerySet.as_manager()
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
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | ~Q(outflow_type=""),
                name="stay_outflow_has_type",
            ),
            # One open stay per person: two at once would count the person
            # twice in the occupancy. clean() also refuses closed overlaps.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(ended_on__isnull=True),
                name="stay_one_open_per_person",
                violation_error_message=STAY_ALREADY_OPEN,
            ),
        ]
        indexes = [
            # occupancy per day scans stays overlapping a period per site
            models.Index(fields=["site", "placed_on", "ended_on"], name="stay_period"),
        ]

    def __str__(self) -> str:
        return f"{_('stay')} {day_text(self.placed_on)}"

    def get_absolute_url(self) -> str:
        return reverse("trajectories:stay_detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        check_not_before(
            errors,
            field="expected_end",
            value=self.expected_end,
            start=self.placed_on,
            message=EXPECTED_END_BEFORE_PLACEMENT,
        )
        check_not_before(
            errors,
            field="ended_on",
            value=self.ended_on,
            start=self.placed_on,
            message=OUTFLOW_BEFORE_PLACEMENT,
        )
        if self.intake_case_id is not None:
            check_not_before(
                errors,
                field="placed_on",
                value=self.placed_on,
                start=self.intake_case.opened_on,
                message=PLACED_BEFORE_CASE_OPENED,
            )
        if self.ended_on is not None and not self.outflow_type:
            errors["outflow_type"] = ValidationError(
                OUTFLOW_TYPE_REQUIRED, code="outflow_type_required"
            )
        overlap = self.overlapping_stay()
        if overlap is not None:
            # Keyed on the person (not a form field): the message shows above
            # the form, and the open-stay constraint is then not checked
            # again with its own, duplicate message.
            errors["person"] = (
                ValidationError(
                    STAY_OVERLAPS_OPEN,
                    code="stay_overlaps",
                    params={"start": day_text(overlap.placed_on)},
                )
                if overlap.ended_on is None
                else ValidationError(
                    STAY_OVERLAPS,
                    code="stay_overlaps",
                    params={
                        "start": day_text(overlap.placed_on),
                        "end": day_text(overlap.ended_on),
                    },
                )
            )
        raise_if(errors)

    def overlapping_stay(self) -> Stay | None:
        """Another stay of the same person sharing a day with this one.

        The outflow day is not a day in the KV, so a new stay may start on
        the outflow day of the previous one.
        """
        if self.person_id is None or self.placed_on is None:
            return None
        others = (
            Stay.objects.filter(person_id=self.person_id)
            .exclude(pk=self.pk)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=self.placed_on))
        )
        if self.ended_on is not None:
            others = others.filter(placed_on__lt=self.ended_on)
        return others.order_by("-placed_on").first()

    @property
    def is_active(self) -> bool:
        return self.ended_on is None

    def length_in_days(self, today: datetime.date) -> int:
        """Days in the KV so far; the outflow day itself is not counted."""
        return ((self.ended_on or today) - self.placed_on).days

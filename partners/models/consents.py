"""Consents a person gave (and withdrew), and the consents a site requires."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import check_not_before, day_text, raise_if
from core.fields import FactDateField
from core.models import Person, Site
from core.scoping import SiteScopedQuerySet

WITHDRAWN_BEFORE_GIVEN = _("A consent cannot be withdrawn before it was given.")


class ConsentKind(models.TextChoices):
    INFORMATION_EXCHANGE = (
        "information_exchange",
        _("information exchange between network partners"),
    )
    EMPLOYER_CONTACT = "employer_contact", _("contact between the KV and the employer")
    VICTIM = "victim", _("victim consent (akkoord slachtoffer)")


class Consent(models.Model):
    """A consent with its scope and document; withdrawal is kept, not deleted."""

    site_lookup = "person__site"
    person_lookup = "person"

    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="consents",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=ConsentKind.choices)
    given_on = FactDateField(_("given on"))
    scope = models.TextField(_("scope"), help_text=_("Which partners, which data."))
    document = models.CharField(
        _("document"),
        max_length=200,
        blank=True,
        help_text=_("E.g. toestemmingsverklaring of 3 March, in the paper file."),
    )
    withdrawn_on = FactDateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_note = models.TextField(_("withdrawal note"), blank=True)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["person", "kind", "-given_on", "-pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True)
                | Q(withdrawn_on__gte=F("given_on")),
                name="consent_withdrawn_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {day_text(self.given_on)}"

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        check_not_before(
            errors,
            field="withdrawn_on",
            value=self.withdrawn_on,
            start=self.given_on,
            message=WITHDRAWN_BEFORE_GIVEN,
        )
        raise_if(errors)

    @property
    def is_active(self) -> bool:
        return self.withdrawn_on is None


class RequiredConsent(models.Model):
    """A consent a site needs for every placed person (reference data)."""

    site_lookup = "site"

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="required_consents",
        verbose_name=_("site"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=ConsentKind.choices)
    text = models.TextField(_("as written in the report"), blank=True)
    scope = models.TextField(
        _("scope"),
        blank=True,
        help_text=_("The scope a consent recorded from the intake gets."),
    )
    before_placement = models.BooleanField(
        _("condition for placement"),
        default=True,
        help_text=_("A placement is refused while this consent is missing."),
    )
    report_lines = models.CharField(_("report lines"), max_length=50, blank=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["site", "kind"]
        verbose_name = _("required consent")
        verbose_name_plural = _("required consents")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "kind"], name="required_consent_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site.code}: {self.get_kind_display()}"

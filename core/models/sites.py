"""Sites and what they differ in, stored as rows: status over time, place
types and realised capacity, target-group criteria."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.dates import day_text
from core.fields import PlannedDateField
from core.scoping import SiteScopedQuerySet


class SecurityLevel(models.TextChoices):
    BBA = "bba", "BBA"
    BBI = "bbi", "BBI"
    ZBBI = "zbbi", "ZBBI"
    LAAG = "laag", _("low security")
    UNSPECIFIED = "unspecified", _("not specified")


class LegalStatus(models.TextChoices):
    SENTENCED = "sentenced", _("sentenced")
    SELF_REPORTER = "self_reporter", _("self-reporter (zelfmelder)")
    PRE_TRIAL = "pre_trial", _("pre-trial detainee (voorlopig gehechte)")


class SiteGender(models.TextChoices):
    MALE = "male", _("men")
    FEMALE = "female", _("women")
    ANY = "any", _("men and women")
    UNSPECIFIED = "unspecified", _("not specified")


class SentenceBoundKind(models.TextChoices):
    STRAFRESTANT = "strafrestant", _("remaining sentence (strafrestant)")
    OPGELEGDE_STRAF = "opgelegde_straf", _("imposed sentence")
    UIT_TE_ZITTEN = "uit_te_zitten_straf", _("sentence still to serve")
    STRAFVERWACHTING = "strafverwachting", _("expected sentence (strafverwachting)")


class Site(models.Model):
    """A kleinschalige voorziening (KV)."""

    site_lookup = "pk"

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    alias = models.CharField(_("alias"), max_length=100, blank=True)
    host_pi = models.CharField(_("host PI"), max_length=100, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    security_level = models.CharField(
        _("security level"), max_length=20, choices=SecurityLevel.choices
    )
    region = models.CharField(_("region"), max_length=200, blank=True)
    regional_tie_rule = models.TextField(_("regional-tie rule"), blank=True)
    legal_status = models.CharField(
        _("legal status of the people placed"),
        max_length=20,
        choices=LegalStatus.choices,
    )
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    gender = models.CharField(_("gender"), max_length=20, choices=SiteGender.choices)
    sentence_bound_kind = models.CharField(
        _("kind of sentence bound"),
        max_length=30,
        choices=SentenceBoundKind.choices,
        blank=True,
    )
    sentence_min_months = models.DecimalField(
        _("minimum sentence (months)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
    )
    sentence_max_months = models.DecimalField(
        _("maximum sentence (months)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
    )
    stay_min_months = models.PositiveSmallIntegerField(
        _("minimum stay (months)"), null=True, blank=True
    )
    stay_max_months = models.PositiveSmallIntegerField(
        _("maximum stay (months)"), null=True, blank=True
    )
    individual_plan_name = models.CharField(
        _("name of the individual plan"), max_length=200, blank=True
    )
    report_lines = models.CharField(_("report lines"), max_length=50, blank=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self) -> str:
        return f"{self.name} ({self.alias})" if self.alias else self.name

    def status_on(self, day: datetime.date) -> SiteStatusPeriod | None:
        """The status period that covers ``day`` (latest start wins)."""
        return (
            self.status_periods.filter(start__lte=day)
            .filter(Q(end__isnull=True) | Q(end__gte=day))
            .order_by("-start")
            .first()
        )

    def criteria_version_on(self, day: datetime.date) -> CriteriaVersion | None:
        return (
            self.criteria_versions.filter(valid_from__lte=day)
            .order_by("-valid_from")
            .first()
        )


class SiteStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    OPEN = "open", _("open")
    INTAKE_FROZEN = "intake_frozen", _("intake frozen")
    CLOSED = "closed", _("closed")
    NOT_REALISED = "not_realised", _("not realised")


class SiteStatusPeriod(models.Model):
    site_lookup = "site"

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="status_periods",
        verbose_name=_("site"),
    )
    status = models.CharField(_("status"), max_length=20, choices=SiteStatus.choices)
    start = PlannedDateField(_("from"))
    end = PlannedDateField(_("until"), null=True, blank=True)
    cause = models.TextField(_("cause"), blank=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["site", "start"]
        verbose_name = _("site status period")
        verbose_name_plural = _("site status periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="site_status_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site.code}: {self.get_status_display()} {day_text(self.start)}"


class PlaceType(models.Model):
    """A kind of place at a site (Krimpen's BBI places for phase I, ZBBI for DC II)."""

    site_lookup = "site"

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="place_types",
        verbose_name=_("site"),
    )
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=100)
    security_level = models.CharField(
        _("security level"), max_length=20, choices=SecurityLevel.choices
    )

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["site", "code"]
        verbose_name = _("place type")
        verbose_name_plural = _("place types")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "code"], name="place_type_unique_code_per_site"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CapacityPeriod(models.Model):
    """Number of places of one type from a date; planned rows are not enforced."""

    site_lookup = "place_type__site"

    place_type = models.ForeignKey(
        PlaceType,
        on_delete=models.CASCADE,
        related_name="capacity_periods",
        verbose_name=_("place type"),
    )
    places = models.PositiveSmallIntegerField(_("places"))
    valid_from = PlannedDateField(_("valid from"))
    valid_to = PlannedDateField(_("valid until"), null=True, blank=True)
    planned = models.BooleanField(
        _("planned"),
        default=False,
        help_text=_("Planned capacity from the plan; only realised rows count."),
    )
    note = models.TextField(_("note"), blank=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["place_type", "valid_from"]
        verbose_name = _("capacity period")
        verbose_name_plural = _("capacity periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="capacity_valid_to_after_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.place_type}: {self.places} ({day_text(self.valid_from)})"


class SiteVersion(models.Model):
    """A numbered version of a site's reference data, valid from a date on
    (abstract): a change is a new version, and what was recorded under the
    old one keeps it.

    The concrete model declares its ``site``, ``version`` and ``valid_from``
    fields (their order is the admin form's) and the constraint
    ``SiteVersion.unique_per_site("<model's name>")``; ordering (site, then
    version), scoping to the user's sites and the name ("almelo v2 (1 jan
    2019)") come from here.
    """

    site_lookup = "site"

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["site", "version"]

    def __str__(self) -> str:
        return f"{self.site.code} v{self.version} ({day_text(self.valid_from)})"

    @staticmethod
    def unique_per_site(name: str) -> models.UniqueConstraint:
        """One version number per site; ``name`` is the model's own
        constraint name (the names predate this base and stay)."""
        return models.UniqueConstraint(fields=["site", "version"], name=name)


class CriteriaVersion(SiteVersion):
    """A versioned set of target-group criteria of a site."""

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="criteria_versions",
        verbose_name=_("site"),
    )
    version = models.PositiveSmallIntegerField(_("version"))
    valid_from = PlannedDateField(_("valid from"))
    note = models.TextField(_("note"), blank=True)

    class Meta(SiteVersion.Meta):
        verbose_name = _("criteria version")
        verbose_name_plural = _("criteria versions")
        constraints = [
            SiteVersion.unique_per_site("criteria_version_unique_per_site"),
        ]


class CriterionKind(models.TextChoices):
    INCLUSION = "inclusion", _("inclusion criterion")
    EXCLUSION = "exclusion", _("exclusion ground")
    CONTRA_INDICATION = "contra_indication", _("contra-indication")


class Criterion(models.Model):
    site_lookup = "version__site"

    version = models.ForeignKey(
        CriteriaVersion,
        on_delete=models.CASCADE,
        related_name="criteria",
        verbose_name=_("version"),
    )
    code = models.SlugField(_("code"), max_length=40)
    kind = models.CharField(_("kind"), max_length=20, choices=CriterionKind.choices)
    hard = models.BooleanField(
        _("hard criterion"),
        default=True,
        help_text=_("Soft criteria allow tailoring (maatwerk)."),
    )
    text = models.TextField(_("text"))
    report_lines = models.CharField(_("report lines"), max_length=50, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["version", "order"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"], name="criterion_unique_code_per_version"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]

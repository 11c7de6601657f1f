"""Partner organisations, their contact persons, and each site's
responsibility table (which partner does what, per the report's tables).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import Site
from core.scoping import SiteScopedQuerySet, site_ids_for

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class OrganisationKind(models.TextChoices):
    DJI = "dji", "DJI"
    DIZ = "diz", _("DJI - DIZ (placement and call-up)")
    PI = "pi", _("penitentiary institution (PI)")
    PROBATION = "probation", _("probation service (3RO / Reclassering Nederland)")
    MUNICIPALITY = "municipality", _("municipality")
    VOLUNTEERS = "volunteers", _("volunteer organisation")
    CARE = "care", _("care partner")
    PROSECUTION = "prosecution", _("public prosecution service (OM)")
    POLICE = "police", _("police")
    SAFETY_HOUSE = "safety_house", _("Veiligheidshuis")
    COURT = "court", _("court")
    LAWYER = "lawyer", _("lawyer")
    EMPLOYER = "employer", _("employer")
    HOUSING = "housing", _("housing corporation")
    OTHER = "other", _("other")


class OrganisationQuerySet(models.QuerySet):
    """Organisations serve some sites; national ones (no site) serve all."""

    def visible_to(
        self, user: AbstractBaseUser | AnonymousUser, roles: Iterable[str]
    ) -> OrganisationQuerySet:
        site_ids = site_ids_for(user, roles)
        if not site_ids:
            return self.none()
        return self.filter(
            Q(
                pk__in=Organisation.sites.through.objects.filter(
                    site_id__in=site_ids
                ).values("organisation_id")
            )
            | ~Q(pk__in=Organisation.sites.through.objects.values("organisation_id"))
        )

    def for_site(self, site: Site) -> OrganisationQuerySet:
        return self.filter(
            Q(
                pk__in=Organisation.sites.through.objects.filter(site=site).values(
                    "organisation_id"
                )
            )
            | ~Q(pk__in=Organisation.sites.through.objects.values("organisation_id"))
        )


class Organisation(models.Model):
    """A partner organisation; national ones serve every site."""

    # In the admin, a functional administrator changes an organisation only
    # when it serves their own sites alone (core.admin_scoping).
    admin_sites_lookup = "sites"

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    sites = models.ManyToManyField(
        Site,
        blank=True,
        related_name="organisations",
        verbose_name=_("sites"),
        help_text=_("Leave empty for a national organisation that serves every site."),
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partners:organisation_detail", args=[self.pk])

    def serves(self, site: Site) -> bool:
        """Whether this organisation works for ``site`` (national ones do)."""
        return Organisation.objects.for_site(site).filter(pk=self.pk).exists()


def agreed_and_performing_organisations() -> tuple[
    models.ForeignKey, models.ForeignKey
]:
    """The two organisation fields of work a partner does on a case:
    ``agreed_organisation``, who the site's agreements make responsible (set
    by the services, not in forms), and ``performing_organisation``, who did
    it. Declared in the model body as ``agreed_organisation,
    performing_organisation = agreed_and_performing_organisations()``; a
    function rather than an abstract model so the fields keep their place
    among the model's own (the column order of the data-subject access
    document and of a backup)."""
    agreed = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("responsible by agreement"),
    )
    performing = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("performed by"),
    )
    return agreed, performing


class OrganisationTakeOver:
    """``is_taken_over`` of a model with the fields of
    ``agreed_and_performing_organisations``."""

    agreed_organisation_id: int | None
    performing_organisation_id: int | None

    @property
    def is_taken_over(self) -> bool:
        """Another party did the work than the one agreed."""
        return (
            self.agreed_organisation_id is not None
            and self.performing_organisation_id is not None
            and self.performing_organisation_id != self.agreed_organisation_id
        )


class ContactPerson(models.Model):
    """A contact at an organisation, with a named backup (report L3103, L3963)."""

    admin_sites_lookup = "organisation__sites"

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    function = models.CharField(_("function"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    backup = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="backup_for",
        verbose_name=_("backup"),
    )
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation", "name"]
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"


class ResponsibilityTable(models.Model):
    """A site's partner table from chapter 2 (tables 2.1.1 to 2.5.1)."""

    site_lookup = "site"

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="responsibility_tables",
        verbose_name=_("site"),
    )
    number = models.CharField(_("table"), max_length=20)
    title = models.CharField(_("title"), max_length=300)
    intake_heading = models.CharField(_("first column"), max_length=300, blank=True)
    execution_heading = models.CharField(_("second column"), max_length=300)
    report_lines = models.CharField(_("report lines"), max_length=50, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["site", "number"]
        verbose_name = _("responsibility table")
        verbose_name_plural = _("responsibility tables")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "number"], name="responsibility_table_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Table')} {self.number}"


class PartnerResponsibility(models.Model):
    """One row of a responsibility table, as written in the report."""

    site_lookup = "table__site"

    table = models.ForeignKey(
        ResponsibilityTable,
        on_delete=models.CASCADE,
        related_name="rows",
        verbose_name=_("table"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    partner = models.CharField(_("partner (role)"), max_length=300)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responsibilities",
        verbose_name=_("organisation"),
    )
    intake = models.TextField(_("intake, throughput and outflow"), blank=True)
    execution = models.TextField(_("execution during (and after) the stay"), blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["table", "order"]
        verbose_name = _("partner responsibility")
        verbose_name_plural = _("partner responsibilities")

    def __str__(self) -> str:
        return self.partner

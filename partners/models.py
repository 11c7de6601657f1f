"""Partner organisations, contact persons, each site's responsibility table,
who plays which role on a case, consents and the person's social network."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import check_not_before, day_text, raise_if
from core.fields import DatedPeriod, FactDateField
from core.models import Person, Site
from core.scoping import SiteScopedQuerySet, site_ids_for

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

ROLE_HOLDER_REQUIRED = _("Choose a contact person or give a name.")
WITHDRAWN_BEFORE_GIVEN = _("A consent cannot be withdrawn before it was given.")
CONTACT_BEFORE_ROLE = _("The contact lies before the role began (%(day)s).")
REPORT_BEFORE_CONTACT = _("The report cannot be written before the contact (%(day)s).")


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


class CaseRoleKind(models.TextChoices):
    REGIEVOERDER = "regievoerder", _("regievoerder")
    AFTERCARE = "aftercare", _("nazorgcoördinator")
    MENTOR = "mentor", _("mentor")
    BUDDY = "buddy", _("volunteer or buddy")
    LABOUR_CONSULTANT = "labour_consultant", _("labour consultant (arbeidsconsulent)")
    PLAN_SUPPORT = "plan_support", _("planbegeleider")
    PROBATION_OFFICER = "probation_officer", _("probation officer (toezichthouder)")
    CARE_WORKER = "care_worker", _("care worker")
    OTHER = "other", _("other")


class AgreedRole(models.Model):
    """Which organisation a site agreed plays a case role (reference data).

    A new case role gets this organisation unless another party took it on;
    the partners dashboard compares the two.
    """

    site_lookup = "site"

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="agreed_roles",
        verbose_name=_("site"),
    )
    role = models.CharField(_("role"), max_length=30, choices=CaseRoleKind.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="agreed_roles",
        verbose_name=_("organisation"),
    )
    report_lines = models.CharField(_("report lines"), max_length=50, blank=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["site", "role"]
        verbose_name = _("agreed role")
        verbose_name_plural = _("agreed roles")
        constraints = [
            models.UniqueConstraint(fields=["site", "role"], name="agreed_role_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.site.code}: {self.get_role_display()}"


class CaseRole(DatedPeriod):
    """Who plays which role for a person, from which date.

    ``organisation`` is the party that actually plays the role;
    ``agreed_organisation`` the one the site's agreements assign the role to
    (``AgreedRole``), kept as it stood when the role was recorded.
    """

    site_lookup = "person__site"
    person_lookup = "person"

    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="case_roles",
        verbose_name=_("person"),
    )
    role = models.CharField(_("role"), max_length=30, choices=CaseRoleKind.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_roles",
        verbose_name=_("organisation"),
    )
    agreed_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="agreed_case_roles",
        verbose_name=_("responsible by agreement"),
    )
    contact = models.ForeignKey(
        ContactPerson,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_roles",
        verbose_name=_("contact person"),
    )
    name = models.CharField(
        _("name"),
        max_length=200,
        blank=True,
        help_text=_("For someone who is not a registered contact, e.g. a volunteer."),
    )
    note = models.TextField(_("note"), blank=True)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["person", "-started_on", "pk"]
        verbose_name = _("case role")
        verbose_name_plural = _("case roles")
        constraints = [
            DatedPeriod.end_after_start("case_role_end_after_start"),
            models.CheckConstraint(
                condition=Q(contact__isnull=False) | ~Q(name=""),
                name="case_role_has_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.holder}"

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        self.check_period(errors)
        if self.contact_id is None and not self.name.strip():
            errors["name"] = ValidationError(
                ROLE_HOLDER_REQUIRED, code="holder_required"
            )
        raise_if(errors)

    @property
    def is_taken_over(self) -> bool:
        """Another party plays the role than the one agreed."""
        return (
            self.agreed_organisation_id is not None
            and self.organisation_id is not None
            and self.organisation_id != self.agreed_organisation_id
        )

    @property
    def holder(self) -> str:
        return self.contact.name if self.contact_id else self.name


class RoleContactKind(models.TextChoices):
    ONE_TO_ONE = "one_to_one", _("1:1 talk")
    VISIT = "visit", _("visit")
    PHONE = "phone", _("phone or video call")
    MEETING = "meeting", _("meeting")


class RoleContact(models.Model):
    """A contact between a role holder (buddy, mentor) and the person."""

    site_lookup = "case_role__person__site"
    person_lookup = "case_role__person"

    case_role = models.ForeignKey(
        CaseRole,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("case role"),
    )
    contacted_on = FactDateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=RoleContactKind.choices)
    report_on = FactDateField(
        _("report written on"),
        null=True,
        blank=True,
        help_text=_("Krimpen: the volunteer reports within five days of a visit."),
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-contacted_on", "-pk"]
        verbose_name = _("contact log entry")
        verbose_name_plural = _("contact log")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {day_text(self.contacted_on)}"

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        if self.case_role_id:
            check_not_before(
                errors,
                field="contacted_on",
                value=self.contacted_on,
                start=self.case_role.started_on,
                message=CONTACT_BEFORE_ROLE,
            )
        check_not_before(
            errors,
            field="report_on",
            value=self.report_on,
            start=self.contacted_on,
            message=REPORT_BEFORE_CONTACT,
        )
        raise_if(errors)


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


class Relation(models.TextChoices):
    PARTNER = "partner", _("partner")
    PARENT = "parent", _("parent")
    CHILD = "child", _("child")
    FAMILY = "family", _("other family")
    FRIEND = "friend", _("friend")
    OTHER = "other", _("other")


class NetworkMember(models.Model):
    """Someone in the person's social network."""

    site_lookup = "person__site"
    person_lookup = "person"

    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="network",
        verbose_name=_("person"),
    )
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    name = models.CharField(_("name"), max_length=200)
    supportive = models.BooleanField(
        _("supports the person"),
        default=True,
        help_text=_("Supports the person in carrying out the plan."),
    )
    note = models.TextField(_("note"), blank=True)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["person", "relation", "name"]
        verbose_name = _("network member")
        verbose_name_plural = _("social network")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relation_display()})"


class NetworkContactKind(models.TextChoices):
    VISIT = "visit", _("visit")
    WARD_VISIT = "ward_visit", _("visit on the ward (family room)")
    PHONE = "phone", _("phone call")
    VIDEO = "video", _("video call (Skype)")


class NetworkContact(models.Model):
    """A visit or call from someone in the network."""

    site_lookup = "member__person__site"
    person_lookup = "member__person"

    member = models.ForeignKey(
        NetworkMember,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("member"),
    )
    contacted_on = FactDateField(_("date"))
    kind = models.CharField(
        _("kind"), max_length=20, choices=NetworkContactKind.choices
    )
    minutes = models.PositiveSmallIntegerField(_("minutes"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-contacted_on", "-pk"]
        verbose_name = _("network contact")
        verbose_name_plural = _("network contacts")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {day_text(self.contacted_on)}"

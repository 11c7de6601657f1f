"""Who plays which role on a case: the roles a site agreed with its
partners, the case roles as played, and the contacts of a role holder.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import check_not_before, day_text, raise_if
from core.fields import DatedPeriod, FactDateField
from core.models import Person, Site
from core.scoping import SiteScopedQuerySet
from partners.models.organisations import ContactPerson, Organisation

ROLE_HOLDER_REQUIRED = _("Choose a contact person or give a name.")
CONTACT_BEFORE_ROLE = _("The contact lies before the role began (%(day)s).")
REPORT_BEFORE_CONTACT = _("The report cannot be written before the contact (%(day)s).")


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

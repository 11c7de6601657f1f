"""People (clients) with their research pseudonym, and the memberships that
give users a role at a site."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.fields import FactDateField
from core.models.sites import Site
from core.scoping import Role, SiteScopedQuerySet


class Gender(models.TextChoices):
    MALE = "male", _("male")
    FEMALE = "female", _("female")
    OTHER = "other", _("other")


#: the one-letter codes of the import template, one per choice of the person
#: form (a test checks the two sets are the same)
GENDER_IMPORT_CODES = {Gender.MALE: "M", Gender.FEMALE: "V", Gender.OTHER: "X"}


DJI_NUMBER_VALIDATOR = RegexValidator(
    r"^\d{6,10}$", _("A DJI number consists of 6 to 10 digits.")
)
# People placed in a KV are adults or adolescents in detention; a birth date
# outside this range is a typing error.
MIN_AGE_YEARS = 12
MAX_AGE_YEARS = 100
BIRTH_DATE_IMPLAUSIBLE = _(
    "A date of birth must give an age between %(min)s and %(max)s years."
)


def age_on(born: datetime.date, day: datetime.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def birth_date_error(
    born: datetime.date, today: datetime.date
) -> ValidationError | None:
    """Why ``born`` is no plausible date of birth on ``today`` (a date in the
    future is the field's own rule, ``FactDateField``)."""
    if born <= today and not MIN_AGE_YEARS <= age_on(born, today) <= MAX_AGE_YEARS:
        return ValidationError(
            BIRTH_DATE_IMPLAUSIBLE,
            code="birth_date_implausible",
            params={"min": MIN_AGE_YEARS, "max": MAX_AGE_YEARS},
        )
    return None


PSEUDONYM_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_pseudonym() -> str:
    """A random research pseudonym; derived from nothing about the person.

    Nine characters of a 32-letter alphabet from one read of the system's
    random source (256 is a multiple of 32, so every letter is equally likely).
    """
    return "P" + "".join(
        PSEUDONYM_ALPHABET[byte % len(PSEUDONYM_ALPHABET)]
        for byte in secrets.token_bytes(9)
    )


class Person(models.Model):
    """A candidate or detainee known to one site."""

    site_lookup = "site"
    person_lookup = "pk"

    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="people", verbose_name=_("site")
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    date_of_birth = FactDateField(_("date of birth"))
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    dji_number = models.CharField(
        _("DJI identification number"),
        max_length=20,
        blank=True,
        validators=[DJI_NUMBER_VALIDATOR],
        help_text=_("The DJI number (v-nummer) where known."),
    )
    municipality_of_origin = models.CharField(
        _("municipality of origin"), max_length=100, blank=True
    )
    aftercare_municipality = models.CharField(
        _("after-care municipality"), max_length=100, blank=True
    )
    pseudonym = models.CharField(
        _("research pseudonym"),
        max_length=12,
        unique=True,
        default=new_pseudonym,
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    pseudonymised_at = models.DateTimeField(
        _("pseudonymised at"), null=True, blank=True, editable=False
    )
    # Optimistic locking (core.concurrency): bumped by every service save.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "dji_number"],
                condition=~Q(dji_number=""),
                name="person_unique_dji_number_per_site",
            ),
        ]
        indexes = [
            # the duplicate check looks people up by name and birth date
            models.Index(
                fields=["site", "last_name", "date_of_birth"],
                name="person_duplicate_lookup",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def get_absolute_url(self) -> str:
        return reverse("core:person_detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if self.date_of_birth:
            error = birth_date_error(self.date_of_birth, timezone.localdate())
            if error is not None:
                raise ValidationError({"date_of_birth": error})

    @property
    def birth_year(self) -> int:
        return self.date_of_birth.year

    def age_on(self, day: datetime.date) -> int:
        return age_on(self.date_of_birth, day)


class Membership(models.Model):
    """A user's role at a site. A user may hold roles at several sites."""

    site_lookup = "site"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("site"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    job_title = models.CharField(
        _("job title"),
        max_length=100,
        blank=True,
        help_text=_("E.g. reclasseringswerker, mentor, senior casemanager."),
    )

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["site", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "site", "role"], name="membership_unique_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.site.code} - {self.get_role_display()}"

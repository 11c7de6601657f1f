"""Sites (reference data), people, memberships and the audit log.

The spine of the product is site -> person -> intake case -> stay -> plan ->
measurement. Everything a site differs in (status over time, capacity per
place type, target-group criteria) is stored as rows, not code.
"""

from __future__ import annotations

import datetime
import secrets

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import day_text, moment_text
from core.fields import FactDateField, PlannedDateField
from core.scoping import Role, SiteScopedQuerySet


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


class Gender(models.TextChoices):
    MALE = "male", _("male")
    FEMALE = "female", _("female")
    OTHER = "other", _("other")


#: the one-letter codes of the import template, one per choice of the person
#: form (a test checks the two sets are the same)
GENDER_IMPORT_CODES = {Gender.MALE: "M", Gender.FEMALE: "V", Gender.OTHER: "X"}


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


class CriteriaVersion(models.Model):
    """A versioned set of target-group criteria of a site."""

    site_lookup = "site"

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="criteria_versions",
        verbose_name=_("site"),
    )
    version = models.PositiveSmallIntegerField(_("version"))
    valid_from = PlannedDateField(_("valid from"))
    note = models.TextField(_("note"), blank=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["site", "version"]
        verbose_name = _("criteria version")
        verbose_name_plural = _("criteria versions")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "version"], name="criteria_version_unique_per_site"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site.code} v{self.version} ({day_text(self.valid_from)})"


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


class AuditKind(models.TextChoices):
    LOGIN = "login", _("login")
    LOGOUT = "logout", _("logout")
    LOGIN_FAILED = "login_failed", _("failed login")
    EXPORT = "export", _("export")
    PERMISSION_CHANGE = "permission_change", _("permission change")
    REOPEN = "reopen", _("reopened a locked record")
    OVERRIDE = "override", _("override")
    IMPORT = "import", _("import")
    RETENTION = "retention", _("retention")
    DIGEST = "digest", _("reminder e-mail")
    DATA_CHECK = "data_check", _("data check")
    DOWNLOAD = "download", _("download")
    REFERENCE_CHANGE = "reference_change", _("reference data change")
    ACCOUNT = "account", _("account change")
    TWO_FACTOR = "two_factor", _("second factor")
    SUBJECT_ACCESS = "subject_access", _("data-subject access document")
    STEERING = "steering", _("meeting or forecast")


class AuditEvent(models.Model):
    """Events outside case-data rows: logins, exports, permission changes.

    Changes to case rows themselves are in the django-simple-history tables.
    """

    site_lookup = "site"

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_username = models.CharField(_("user name"), max_length=150, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=AuditKind.choices)
    site = models.ForeignKey(
        Site,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("site"),
    )
    summary = models.CharField(_("summary"), max_length=300)
    details = models.JSONField(_("details"), default=dict, blank=True)
    # The client's address when the event came from a request
    # (core.client_address), e.g. where a login came from.
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{moment_text(self.at)} {self.actor_username} {self.get_kind_display()}"

    def summary_text(self) -> str:
        """The summary in the reader's language.

        Events record their summary as a message id and its parameters
        (``details["message"]``, see ``audit_event_record``), so the log reads
        Dutch or English as the reader chooses; older events keep their text.
        """
        message = self.details.get(AUDIT_MESSAGE_KEY) if self.details else None
        if not isinstance(message, dict) or "text" not in message:
            return self.summary
        params = {
            key: AUDIT_PARAM_LABELS[key](value) if key in AUDIT_PARAM_LABELS else value
            for key, value in (message.get("params") or {}).items()
        }
        try:
            return gettext(message["text"]) % params
        except (KeyError, TypeError, ValueError):
            return self.summary

    summary_text.short_description = _("summary")  # type: ignore[attr-defined]


def _role_label(value: object) -> str:
    return str(Role(value).label) if value in Role.values else str(value)


def _model_label(value: object) -> str:
    """A model's name in the reader's language from its ``app.model`` label."""
    try:
        return str(apps.get_model(str(value))._meta.verbose_name)
    except (LookupError, ValueError):
        return str(value)


# Where the summary of an audit event keeps its message id and parameters.
AUDIT_MESSAGE_KEY = "message"
# Parameters holding a code that has a label of its own.
AUDIT_PARAM_LABELS = {"role": _role_label, "model": _model_label}


class NotificationSettings(models.Model):
    """A user's choices about e-mail from the application."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_settings",
        verbose_name=_("user"),
    )
    daily_digest = models.BooleanField(
        _("daily reminder e-mail"),
        default=True,
        help_text=_(
            "Each morning, the number of things waiting for you (counts only, "
            "no names), when there is something."
        ),
    )
    digest_sent_on = FactDateField(
        _("last reminder e-mail"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return str(self.user)


class WorkerHeartbeat(models.Model):
    """The last time a background worker ran its minutely heartbeat task;
    the health endpoint reads it."""

    name = models.CharField(max_length=50, unique=True, verbose_name=_("name"))
    beat_at = models.DateTimeField(verbose_name=_("beat at"))
    host = models.CharField(max_length=255, blank=True, verbose_name=_("host"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.name} {moment_text(self.beat_at)}"


class RetentionListing(models.Model):
    """The monthly listing of one site's people past retention, for its
    functional administrators. Nothing is changed by listing; pseudonymising
    stays the confirmed, audited ``manage.py retention --confirm``."""

    site_lookup = "site"

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="+", verbose_name=_("site")
    )
    made_at = models.DateTimeField(_("made at"), default=timezone.now)
    # [{"pseudonym": ..., "kind": ...}], pseudonyms only
    people = models.JSONField(_("people"), default=list, blank=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-made_at", "-pk"]
        verbose_name = _("retention listing")
        verbose_name_plural = _("retention listings")

    def __str__(self) -> str:
        return f"{self.site.code} {day_text(self.made_at)}"


# Access records live in their own module; imported here so Django finds them.
from core.access_models import (  # noqa: E402, F401
    ReadAccess,
    SubjectAccessDisclosure,
    UserSession,
)

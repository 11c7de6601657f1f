"""Intake: one case per candidate per site, from entry to a coded end.

The pipeline of each site is reference data (``IntakeProcessVersion`` with
its ``IntakeStageDefinition`` rows, loaded from
``fixtures/reference/intake_stages.yaml``). A case keeps the process version it
started under, so a later change of process never rewrites old cases.
"""

from __future__ import annotations

import datetime
import operator
from collections.abc import Iterable
from functools import reduce
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import add_days, check_not_before, day_text, raise_if
from core.fields import FactDateField, PlannedDateField
from core.jobs import JobFields, JobState
from core.models import CriteriaVersion, Criterion, Person, Site, SiteVersion
from core.scoping import SiteScopedQuerySet
from partners.models import ConsentKind

BEFORE_CASE_OPENED = _("The date lies before the case was opened (%(day)s).")


def check_not_before_case(
    errors: dict[str, ValidationError],
    case: IntakeCase | None,
    *,
    field: str,
    value: datetime.date | None,
) -> None:
    """A date recorded on a case does not lie before the case was opened."""
    if case is not None:
        check_not_before(
            errors,
            field=field,
            value=value,
            start=case.opened_on,
            message=BEFORE_CASE_OPENED,
        )


class IntakeOutcome(models.TextChoices):
    OPEN = "open", _("open")
    PLACED = "placed", _("placed")
    REJECTED = "rejected", _("rejected")
    DECLINED = "declined", _("declined by the candidate")
    WITHDRAWN = "withdrawn", _("withdrawn")
    HANDED_BACK = "handed_back", _("handed back")
    WAITLISTED = "waitlisted", _("waitlisted")


class StageKind(models.TextChoices):
    """What a stage does; the services treat some kinds specially."""

    STEP = "step", _("step")
    ASSESSMENT = "assessment", _("assessment with an outcome")
    WAITLIST = "waitlist", _("waiting list")
    CONSENT = "consent", _("consent")
    PRESCAN = "prescan", _("pre-scan (objection yes/no per partner)")
    TRIAL = "trial", _("trial period")
    DECISION = "decision", _("placement decision")


class StageOutcome(models.TextChoices):
    COMPLETED = "completed", _("completed")
    POSITIVE = "positive", _("positive")
    NEGATIVE = "negative", _("negative")


#: a stage passed: recorded as completed or positive (``StageEvent.passed``)
PASSED_OUTCOMES = [StageOutcome.COMPLETED, StageOutcome.POSITIVE]

#: the bit of each stage kind in ``CaseStageReach.passed_kinds``. Stored rows
#: depend on it: never renumber a kind; a new kind takes the next free bit.
PASSED_KIND_BITS: dict[str, int] = {
    StageKind.STEP: 1,
    StageKind.ASSESSMENT: 2,
    StageKind.WAITLIST: 4,
    StageKind.CONSENT: 8,
    StageKind.PRESCAN: 16,
    StageKind.TRIAL: 32,
    StageKind.DECISION: 64,
}


class DueAnchor(models.TextChoices):
    NONE = "", _("no due date")
    OPENED = "opened", _("days after the case was opened")
    PREREQUISITES = "prerequisites", _("days after the preceding stages")
    REPORT_DATE = "report_date", _("days relative to the report date (meldingsdatum)")


class PrescanPartner(models.TextChoices):
    OM = "om", _("Openbaar Ministerie (OM)")
    POLICE = "police", _("police")
    PROBATION = "reclassering", _("reclassering")
    SAFETY_HOUSE = "veiligheidshuis", _("Veiligheidshuis")


class AwarenessChannel(models.TextChoices):
    UNKNOWN = "", _("unknown")
    OTHER_DETAINEES = "other_detainees", _("other detainees")
    STAFF = "staff", _("PI staff")
    INFORMATION = "information", _("information material (leaflet, infographic, film)")
    PRESENTATION = "presentation", _("presentation or information session")
    PARTNER = "partner", _("a chain partner")
    LAWYER = "lawyer", _("lawyer")
    CALL_UP = "call_up", _("call-up letter")
    OTHER = "other", _("other")


class EndReasonCode(models.TextChoices):
    CRITERION_NOT_MET = "criterion_not_met", _("does not meet a criterion")
    PRESCAN_OBJECTION = "prescan_objection", _("objection in the pre-scan")
    NEGATIVE_ADVICE = "negative_advice", _("negative advice or decision in a stage")
    NOT_GROUP_SUITABLE = "not_group_suitable", _("not group-suitable")
    NO_VICTIM_CONSENT = "no_victim_consent", _("no consent of the victim")
    EMPLOYER_REFUSED = "employer_refused", _("employer does not cooperate")
    NO_CONSENT = "no_consent", _("candidate gave no consent")
    PREFERS_OTHER_REGIME = (
        "prefers_other_regime",
        _("candidate prefers another regime (ZBBI, PP, schorsing)"),
    )
    NOT_INTERESTED = "not_interested", _("candidate not interested")
    TIME_TOO_SHORT = "time_too_short", _("remaining time too short")
    SITE_NOT_AVAILABLE = "site_not_available", _("KV not available")
    OTHER = "other", _("other")


class IntakeProcessVersion(SiteVersion):
    """The intake pipeline of a site from ``valid_from``; a change is a new version."""

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="intake_processes",
        verbose_name=_("site"),
    )
    version = models.PositiveSmallIntegerField(_("version"))
    valid_from = PlannedDateField(_("valid from"))
    name = models.CharField(_("name"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    report_lines = models.CharField(_("report lines"), max_length=100, blank=True)
    #: where a case may be handed back to (Middelburg: DIZ for a regular call-up)
    hand_back_to = models.CharField(_("hand back to"), max_length=200, blank=True)

    class Meta(SiteVersion.Meta):
        verbose_name = _("intake process version")
        verbose_name_plural = _("intake process versions")
        constraints = [SiteVersion.unique_per_site("intake_process_unique_version")]


class EntryRoute(models.Model):
    """A way candidates enter a site's pipeline (DJI list, referral, call-up)."""

    site_lookup = "process__site"

    process = models.ForeignKey(
        IntakeProcessVersion,
        on_delete=models.CASCADE,
        related_name="entry_routes",
        verbose_name=_("process"),
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    planned_only = models.BooleanField(
        _("planned only"),
        default=False,
        help_text=_("Described in the plan but not (yet) in use."),
    )
    importable = models.BooleanField(
        _("importable list"),
        default=False,
        help_text=_("Candidates on this route arrive as a list (DJI, DIZ)."),
    )

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["process", "order"]
        verbose_name = _("entry route")
        verbose_name_plural = _("entry routes")
        constraints = [
            models.UniqueConstraint(
                fields=["process", "code"], name="entry_route_unique_code"
            ),
        ]

    def __str__(self) -> str:
        return self.name


STAGE_OUTCOMES_INVALID = _("Give one or more outcomes from: %(choices)s.")
PRESCAN_PARTNERS_INVALID = _("Give pre-scan partners from: %(choices)s.")
PRESCAN_PARTNERS_MISSING = _("A pre-scan needs the partners it asks.")
DOCUMENT_CONSENTS_INVALID = _("A document's consent must be one of: %(choices)s.")


#: the fields of a stage definition that ``CaseStageReach`` depends on
REACH_STAGE_FIELDS = frozenset({"order", "kind"})


class StageDefinitionQuerySet(SiteScopedQuerySet):
    """Stage definitions; a bulk change of a stage's order or kind (``update``,
    and ``bulk_update``, which runs it) recounts the stage reach of the cases
    recorded at it (``refresh_stage_reach``)."""

    def update(self, **kwargs: Any) -> int:
        if not REACH_STAGE_FIELDS & set(kwargs):
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            stage_ids = list(self.values_list("pk", flat=True))
            count = super().update(**kwargs)
            refresh_stage_reach(_cases_recorded_at(stage_ids))
        return count


def _cases_recorded_at(stage_ids: Iterable[int]) -> models.QuerySet:
    """The ids of the cases with an event at one of ``stage_ids``."""
    return (
        StageEvent.objects.filter(stage_id__in=list(stage_ids))
        .order_by()
        .values("case_id")
    )


class IntakeStageDefinition(models.Model):
    """One stage of a process version.

    Stages form a graph, not a line: ``requires`` lists the codes of the
    stages that must be passed first, so stages without a path between them
    may happen in any order or in parallel (Almelo's motivation letter and
    intake interview; the PI's own transfer procedure).
    """

    site_lookup = "process__site"

    process = models.ForeignKey(
        IntakeProcessVersion,
        on_delete=models.CASCADE,
        related_name="stages",
        verbose_name=_("process"),
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=20, choices=StageKind.choices)
    performer_role = models.CharField(_("performed by (role)"), max_length=300)
    performer_organisation = models.CharField(
        _("performed by (organisation)"), max_length=300
    )
    #: the organisation the stage is agreed to; a stage event records it as
    #: its performer unless another party did the work
    performer = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible organisation"),
    )
    #: {pre-scan partner code: organisation name} for a pre-scan stage
    prescan_performers = models.JSONField(
        _("pre-scan partner organisations"), default=dict, blank=True
    )
    description = models.TextField(_("description"), blank=True)
    #: [{"code": ..., "name": ...}] documents or advice the stage produces
    documents = models.JSONField(_("documents and advice"), default=list, blank=True)
    outcomes = models.JSONField(_("possible outcomes"), default=list)
    requires = models.JSONField(_("requires stages"), default=list, blank=True)
    parallel = models.BooleanField(
        _("runs alongside"),
        default=False,
        help_text=_("Runs next to the main line (e.g. the PI's own procedure)."),
    )
    optional = models.BooleanField(_("optional"), default=False)
    practice_addition = models.BooleanField(
        _("added in practice"),
        default=False,
        help_text=_("Not in the plan; reported in the realisation (chapter 3)."),
    )
    #: pre-scan partners answering only objection yes/no
    prescan_partners = models.JSONField(
        _("pre-scan partners"), default=list, blank=True
    )
    #: a positive outcome records the person's consent of this kind once
    consent_kind = models.CharField(
        _("gives consent"),
        max_length=30,
        choices=ConsentKind.choices,
        blank=True,
        help_text=_("A positive outcome records this consent under Partners."),
    )
    due_anchor = models.CharField(
        _("due date anchor"),
        max_length=20,
        choices=DueAnchor.choices,
        default=DueAnchor.NONE,
        blank=True,
    )
    due_offset_days = models.IntegerField(_("due offset (days)"), null=True, blank=True)
    report_lines = models.CharField(_("report lines"), max_length=100, blank=True)

    objects = StageDefinitionQuerySet.as_manager()

    class Meta:
        ordering = ["process", "order"]
        verbose_name = _("intake stage definition")
        verbose_name_plural = _("intake stage definitions")
        constraints = [
            models.UniqueConstraint(
                fields=["process", "code"], name="intake_stage_unique_code"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saved; a changed order or kind recounts the stage reach of the
        cases recorded at this stage, in the same transaction (the reference
        loader and the admin save stages one by one)."""
        stored = getattr(self, "_stored_reach", None)
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            if stored is not None and stored != self._reach_values():
                refresh_stage_reach(_cases_recorded_at([self.pk]))
        self._stored_reach = self._reach_values()

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Any:
        stage = super().from_db(db, field_names, values)
        stage._stored_reach = stage._reach_values()
        return stage

    def _reach_values(self) -> tuple:
        return tuple(self.__dict__.get(name) for name in sorted(REACH_STAGE_FIELDS))

    def clean(self) -> None:
        unknown = set(self.outcomes) - set(StageOutcome.values)
        if unknown or not self.outcomes:
            choices = ", ".join(StageOutcome.values)
            raise ValidationError(
                {
                    "outcomes": ValidationError(
                        STAGE_OUTCOMES_INVALID, params={"choices": choices}
                    )
                }
            )
        partners = set(self.prescan_partners) - set(PrescanPartner.values)
        if partners:
            choices = ", ".join(PrescanPartner.values)
            raise ValidationError(
                {
                    "prescan_partners": ValidationError(
                        PRESCAN_PARTNERS_INVALID, params={"choices": choices}
                    )
                }
            )
        if self.kind == StageKind.PRESCAN and not self.prescan_partners:
            raise ValidationError({"prescan_partners": PRESCAN_PARTNERS_MISSING})
        consents = {d.get("consent") for d in self.documents} - {None}
        unknown = consents - set(ConsentKind.values)
        if unknown:
            raise ValidationError(
                {
                    "documents": ValidationError(
                        DOCUMENT_CONSENTS_INVALID,
                        params={"choices": ", ".join(ConsentKind.values)},
                    )
                }
            )

    @property
    def outcome_labels(self) -> list[str]:
        labels = dict(StageOutcome.choices)
        return [str(labels.get(code, code)) for code in self.outcomes]

    def document_name(self, code: str) -> str:
        for document in self.documents:
            if document["code"] == code:
                return document["name"]
        return code

    def document_consent(self, code: str) -> str:
        """The consent kind a document of this stage records ('' for none)."""
        for document in self.documents:
            if document["code"] == code:
                return document.get("consent") or ""
        return ""


#: where a placed case stands: it went through every stage of its process
PAST_EVERY_STAGE = 32767


class IntakeCaseQuerySet(SiteScopedQuerySet):
    """The one definition of "reached a stage" (``intake.selectors.stage_reach``).

    Both the counts and the case lists behind them read the per-case summary
    ``CaseStageReach`` (a case without a row has no stage recorded).
    """

    def with_furthest(self) -> IntakeCaseQuerySet:
        """Annotated with ``furthest``: the highest stage order recorded, or
        ``PAST_EVERY_STAGE`` for a placed case (-1: nothing recorded)."""
        return self.annotate(
            furthest=models.Case(
                models.When(
                    outcome=IntakeOutcome.PLACED,
                    then=models.Value(PAST_EVERY_STAGE),
                ),
                default=Coalesce(
                    models.F("stage_reach__furthest_order"), models.Value(-1)
                ),
                output_field=models.IntegerField(),
            )
        )

    def with_passed_kinds(self) -> IntakeCaseQuerySet:
        """Annotated with ``passed_kinds``: the bits (``PASSED_KIND_BITS``) of
        the kinds of stage the case passed, 0 for none."""
        return self.annotate(
            passed_kinds=Coalesce(
                models.F("stage_reach__passed_kinds"),
                models.Value(0),
                output_field=models.IntegerField(),
            )
        )

    def passing(self, *, kind: str) -> IntakeCaseQuerySet:
        """Cases that passed a stage of ``kind`` (``PASSED_OUTCOMES``)."""
        bit = PASSED_KIND_BITS[kind]
        return self.annotate(
            passed_bit=models.F("stage_reach__passed_kinds").bitand(bit)
        ).filter(passed_bit=bit)

    def reaching(self, *, code: str = "", kind: str = "") -> IntakeCaseQuerySet:
        """Cases whose process has the stage ``code`` (or a stage of ``kind``)
        and that got at least that far: a stage recorded at its place in the
        process or later, or placed."""
        stage = {"code": code} if code else {"kind": kind}
        first = (
            IntakeStageDefinition.objects.filter(
                process=models.OuterRef("process"), **stage
            )
            .order_by("order")
            .values("order")[:1]
        )
        return (
            self.with_furthest()
            .annotate(first_order=models.Subquery(first))
            .filter(first_order__isnull=False, furthest__gte=models.F("first_order"))
        )

    def with_stage(
        self, outcomes: list[str], *, code: str = "", kind: str = ""
    ) -> IntakeCaseQuerySet:
        """Cases with the stage ``code`` (or one of ``kind``) recorded with
        one of ``outcomes``; each case once. A kind passed is read from the
        summary, as the funnel counts it (``passing``)."""
        if not code and kind and set(outcomes) == set(PASSED_OUTCOMES):
            return self.passing(kind=kind)
        stage = {"stage__code": code} if code else {"stage__kind": kind}
        events = StageEvent.objects.filter(
            case=models.OuterRef("pk"), outcome__in=outcomes, **stage
        )
        return self.filter(models.Exists(events))


class IntakeCase(models.Model):
    site_lookup = "site"
    person_lookup = "person"

    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        related_name="intake_cases",
        verbose_name=_("site"),
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="intake_cases",
        verbose_name=_("person"),
    )
    criteria_version = models.ForeignKey(
        CriteriaVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("criteria version applied"),
    )
    opened_on = FactDateField(_("opened on"), default=timezone.localdate)
    outcome = models.CharField(
        _("outcome"),
        max_length=20,
        choices=IntakeOutcome.choices,
        default=IntakeOutcome.OPEN,
    )
    closed_on = FactDateField(_("closed on"), null=True, blank=True)
    version = models.PositiveIntegerField(
        default=1, editable=False, verbose_name=_("version")
    )
    process = models.ForeignKey(
        IntakeProcessVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("intake process version"),
    )
    entry_route = models.ForeignKey(
        EntryRoute,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("entry route"),
    )
    referring_organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("referring organisation"),
    )
    referring_person = models.CharField(
        _("referring person"), max_length=200, blank=True
    )
    heard_via = models.CharField(
        _("heard of the KV via"),
        max_length=30,
        choices=AwarenessChannel.choices,
        blank=True,
    )
    report_date = PlannedDateField(
        _("report date (meldingsdatum)"),
        null=True,
        blank=True,
        help_text=_("For self-reporters called up by DIZ."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    import_batch = models.ForeignKey(
        "intake.ImportBatch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("import batch"),
    )

    objects = IntakeCaseQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_on", "-pk"]
        verbose_name = _("intake case")
        verbose_name_plural = _("intake cases")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True)
                | models.Q(closed_on__gte=models.F("opened_on")),
                name="intake_case_closed_after_opened",
            ),
            models.UniqueConstraint(
                fields=["site", "person"],
                condition=Q(outcome="open"),
                name="intake_case_one_open_per_person",
            ),
        ]
        indexes = [
            # the funnel selects a site's cases opened in a period
            models.Index(fields=["site", "opened_on"], name="intake_case_site_opened"),
        ]

    def __str__(self) -> str:
        return f"{_('intake')} #{self.pk} ({day_text(self.opened_on)})"

    def get_absolute_url(self) -> str:
        return reverse("intake:case_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.outcome == IntakeOutcome.OPEN

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        check_not_before(
            errors,
            field="closed_on",
            value=self.closed_on,
            start=self.opened_on,
            message=BEFORE_CASE_OPENED,
        )
        raise_if(errors)


#: the fields of a stage event that ``CaseStageReach`` depends on
REACH_EVENT_FIELDS = frozenset({"case", "case_id", "stage", "stage_id", "outcome"})


class StageEventQuerySet(SiteScopedQuerySet):
    """Stage events. Every write through the ORM keeps ``CaseStageReach``
    exact in the same transaction: ``StageEvent.save``/``delete`` and the
    bulk paths here (``bulk_create``, ``update`` - which ``bulk_update``
    runs - and ``delete``) recount the cases they touch
    (``refresh_stage_reach``)."""

    def reach_per_case(self) -> models.QuerySet:
        """Per case of these events: ``case_id``, ``furthest_order`` (the
        highest order of a stage recorded) and ``passed_kinds`` (the bits of
        the kinds with a stage passed): the one count ``CaseStageReach``
        stores and ``intake.selectors.stage_reach_drift`` checks."""
        passed = [
            models.Max(
                models.Case(
                    models.When(
                        stage__kind=kind,
                        outcome__in=PASSED_OUTCOMES,
                        then=models.Value(bit),
                    ),
                    default=models.Value(0),
                    output_field=models.IntegerField(),
                )
            )
            for kind, bit in PASSED_KIND_BITS.items()
        ]
        return (
            self.order_by()
            .values("case_id")
            .annotate(
                furthest_order=models.Max("stage__order"),
                passed_kinds=reduce(operator.add, passed),
            )
        )

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> Any:
        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            refresh_stage_reach({event.case_id for event in created})
        return created

    def update(self, **kwargs: Any) -> int:
        if not REACH_EVENT_FIELDS & set(kwargs):
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            before = dict(self.values_list("pk", "case_id"))
            count = super().update(**kwargs)
            after = StageEvent.objects.filter(pk__in=list(before)).values_list(
                "case_id", flat=True
            )
            refresh_stage_reach({*before.values(), *after})
        return count

    def delete(self) -> tuple[int, dict[str, int]]:
        with transaction.atomic(using=self.db):
            case_ids = set(self.values_list("case_id", flat=True))
            deleted = super().delete()
            refresh_stage_reach(case_ids)
        return deleted


class StageEvent(models.Model):
    """A stage reached by a case: date, who recorded it and the outcome.

    Deliberately without free text: stage outcomes are coded, and pre-scan
    partners share no content. Saving or deleting one recounts its case's
    ``CaseStageReach`` in the same transaction.
    """

    site_lookup = "case__site"
    person_lookup = "case__person"

    case = models.ForeignKey(
        IntakeCase,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("case"),
    )
    stage = models.ForeignKey(
        IntakeStageDefinition,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("stage"),
    )
    occurred_on = FactDateField(_("date"))
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=StageOutcome.choices
    )
    agreed_organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("responsible by agreement"),
    )
    performing_organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("performed by"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = StageEventQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["occurred_on", "pk"]
        verbose_name = _("stage event")
        verbose_name_plural = _("stage events")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "stage"], name="stage_event_once_per_case"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stage}: {self.get_outcome_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saved, and its case's ``CaseStageReach`` recounted in the same
        transaction (also the case it moved from, should it move)."""
        fields = kwargs.get("update_fields")
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            if fields is None or REACH_EVENT_FIELDS & set(fields):
                stored = getattr(self, "_stored_case_id", None)
                refresh_stage_reach({self.case_id, stored} - {None})
        self._stored_case_id = self.case_id

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        with transaction.atomic(using=kwargs.get("using")):
            deleted = super().delete(*args, **kwargs)
            refresh_stage_reach({self.case_id})
        return deleted

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Any:
        event = super().from_db(db, field_names, values)
        event._stored_case_id = event.__dict__.get("case_id")
        return event

    @property
    def passed(self) -> bool:
        return self.outcome != StageOutcome.NEGATIVE

    @property
    def is_taken_over(self) -> bool:
        """Another party did the work than the one agreed."""
        return (
            self.agreed_organisation_id is not None
            and self.performing_organisation_id is not None
            and self.performing_organisation_id != self.agreed_organisation_id
        )

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        case = self.case if self.case_id else None
        check_not_before_case(errors, case, field="occurred_on", value=self.occurred_on)
        raise_if(errors)


class CaseStageReach(models.Model):
    """How far an intake case got, counted from its stage events: the
    summary the funnel and the dashboards count instead of joining every
    case with all its events (``intake.selectors.stage_reach``).

    One row per case with at least one stage recorded; a case without a row
    has none (furthest -1, nothing passed). Derived data, never edited:
    ``refresh_stage_reach`` rewrites it from the events in the transaction
    that changes them (``StageEvent.save``/``delete``, the bulk paths of
    ``StageEventQuerySet`` and a changed order or kind of a stage
    definition). ``manage.py check_stage_reach`` reports any drift from a
    recount. A separate table rather than columns on ``IntakeCase``: case
    saves (a stale form, a history revert) can never overwrite it, and case
    history does not fill with recounts.
    """

    case = models.OneToOneField(
        IntakeCase,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="stage_reach",
        verbose_name=_("case"),
    )
    #: the highest ``IntakeStageDefinition.order`` among the case's events,
    #: whatever their outcome
    furthest_order = models.PositiveSmallIntegerField(_("furthest stage order"))
    #: per ``StageKind`` one bit (``PASSED_KIND_BITS``): set when a stage of
    #: that kind was recorded with an outcome in ``PASSED_OUTCOMES``
    passed_kinds = models.PositiveIntegerField(_("kinds of stage passed"))

    class Meta:
        verbose_name = _("stage reach of a case")
        verbose_name_plural = _("stage reach of cases")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.furthest_order}/{self.passed_kinds}"

    @property
    def passed_kind_codes(self) -> list[str]:
        """The kinds of stage passed, in ``StageKind`` order."""
        return [
            kind
            for kind in StageKind.values
            if self.passed_kinds & PASSED_KIND_BITS[kind]
        ]


#: cases recounted per statement (well under SQLite's parameter limit)
REFRESH_BATCH = 2000


def refresh_stage_reach(case_ids: Iterable[int] | models.QuerySet) -> None:
    """Recount ``CaseStageReach`` of the given cases from their stage events.

    ``case_ids``: ids, or a queryset of case ids (``values("case_id")``).
    Set-based: the cases are locked (so a concurrent recount of the same
    case waits and then sees this one's events), their rows deleted and
    rewritten by one ``INSERT ... SELECT`` of the grouped events per batch
    of ``REFRESH_BATCH`` cases: three statements per batch, whatever the
    number of events. Runs in the caller's transaction (or its own).
    """
    if not isinstance(case_ids, models.QuerySet):
        case_ids = [pk for pk in set(case_ids) if pk is not None]
        if not case_ids:
            return
    with transaction.atomic():
        locked = list(
            IntakeCase.objects.filter(pk__in=case_ids)
            .order_by("pk")
            .select_for_update(no_key=True)
            .values_list("pk", flat=True)
        )
        table = connection.ops.quote_name(CaseStageReach._meta.db_table)
        columns = ", ".join(
            connection.ops.quote_name(name)
            for name in ("case_id", "furthest_order", "passed_kinds")
        )
        for start in range(0, len(locked), REFRESH_BATCH):
            batch = locked[start : start + REFRESH_BATCH]
            CaseStageReach.objects.filter(case_id__in=batch).delete()
            counted = StageEvent.objects.filter(case_id__in=batch).reach_per_case()
            sql, params = counted.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)


class PrescanAnswer(models.Model):
    """A pre-scan partner's answer: only whether it objects.

    No text field on purpose: the report states that no content is shared
    ("Er wordt geen inhoudelijke informatie gedeeld", L2148-2149).
    """

    site_lookup = "case__site"
    person_lookup = "case__person"

    case = models.ForeignKey(
        IntakeCase,
        on_delete=models.CASCADE,
        related_name="prescan_answers",
        verbose_name=_("case"),
    )
    partner = models.CharField(
        _("partner"), max_length=20, choices=PrescanPartner.choices
    )
    asked_on = FactDateField(_("asked on"))
    answered_on = FactDateField(_("answered on"))
    objection = models.BooleanField(_("objection"))
    agreed_organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("responsible by agreement"),
    )
    performing_organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("performed by"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "partner"]
        verbose_name = _("pre-scan answer")
        verbose_name_plural = _("pre-scan answers")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "partner"], name="prescan_answer_once_per_partner"
            ),
            models.CheckConstraint(
                condition=Q(answered_on__gte=models.F("asked_on")),
                name="prescan_answered_after_asked",
            ),
        ]

    def __str__(self) -> str:
        return self.get_partner_display()

    @property
    def is_taken_over(self) -> bool:
        """Another party did the work than the one agreed."""
        return (
            self.agreed_organisation_id is not None
            and self.performing_organisation_id is not None
            and self.performing_organisation_id != self.agreed_organisation_id
        )

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        case = self.case if self.case_id else None
        check_not_before_case(errors, case, field="asked_on", value=self.asked_on)
        check_not_before_case(errors, case, field="answered_on", value=self.answered_on)
        raise_if(errors)


class CaseDocument(models.Model):
    """A document or advice received for a case (registered, not stored)."""

    site_lookup = "case__site"
    person_lookup = "case__person"

    case = models.ForeignKey(
        IntakeCase,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("case"),
    )
    stage = models.ForeignKey(
        IntakeStageDefinition,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("stage"),
    )
    document_code = models.SlugField(_("document"), max_length=40)
    received_on = FactDateField(_("received on"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["received_on", "pk"]
        verbose_name = _("document or advice")
        verbose_name_plural = _("documents and advice")

    def __str__(self) -> str:
        return self.stage.document_name(self.document_code)

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        case = self.case if self.case_id else None
        check_not_before_case(errors, case, field="received_on", value=self.received_on)
        raise_if(errors)


class CheckResult(models.TextChoices):
    MET = "met", _("met")
    NOT_MET = "not_met", _("not met")
    EXCEPTION = "exception", _("not met, exception granted")


class CriterionCheck(models.Model):
    """One line of the criteria checklist of a case's criteria version."""

    site_lookup = "case__site"
    person_lookup = "case__person"

    case = models.ForeignKey(
        IntakeCase,
        on_delete=models.CASCADE,
        related_name="criterion_checks",
        verbose_name=_("case"),
    )
    criterion = models.ForeignKey(
        Criterion,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("criterion"),
    )
    result = models.CharField(_("result"), max_length=20, choices=CheckResult.choices)
    exception_reason = models.TextField(_("reason for the exception"), blank=True)
    checked_on = FactDateField(_("checked on"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "criterion__order"]
        verbose_name = _("criterion check")
        verbose_name_plural = _("criterion checks")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "criterion"], name="criterion_check_once_per_case"
            ),
            models.CheckConstraint(
                condition=~Q(result="exception") | ~Q(exception_reason=""),
                name="criterion_exception_has_reason",
            ),
        ]

    def __str__(self) -> str:
        text = Truncator(self.criterion.text).words(6)
        return f"{text}: {self.get_result_display()}"

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        case = self.case if self.case_id else None
        check_not_before_case(errors, case, field="checked_on", value=self.checked_on)
        raise_if(errors)


class CaseEndReason(models.Model):
    """A coded reason for a case's end (several may apply)."""

    site_lookup = "case__site"
    person_lookup = "case__person"

    case = models.ForeignKey(
        IntakeCase,
        on_delete=models.CASCADE,
        related_name="end_reasons",
        verbose_name=_("case"),
    )
    code = models.CharField(_("reason"), max_length=30, choices=EndReasonCode.choices)
    criterion = models.ForeignKey(
        Criterion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("criterion not met"),
    )
    prescan_partner = models.CharField(
        _("objecting pre-scan partner"),
        max_length=20,
        choices=PrescanPartner.choices,
        blank=True,
    )
    stage = models.ForeignKey(
        IntakeStageDefinition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("stage"),
    )

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "pk"]
        verbose_name = _("end reason")
        verbose_name_plural = _("end reasons")
        constraints = [
            models.CheckConstraint(
                condition=~Q(code="criterion_not_met") | Q(criterion__isnull=False),
                name="end_reason_criterion_named",
            ),
            models.CheckConstraint(
                condition=~Q(code="prescan_objection") | ~Q(prescan_partner=""),
                name="end_reason_prescan_partner_named",
            ),
        ]

    def __str__(self) -> str:
        return self.get_code_display()


class ImportKind(models.TextChoices):
    DJI_LIST = "dji_list", _("DJI list of detainees")
    DIZ_CALL_UP = "diz_call_up", _("DIZ call-up list of self-reporters")


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("being checked")
    PREVIEW = "preview", _("awaiting confirmation")
    REFUSED = "refused", _("refused: correct the list")
    APPLYING = "applying", _("being imported")
    APPLIED = "applied", _("applied")


def import_upload_to(instance: ImportBatch, filename: str) -> str:
    day = timezone.localdate()
    return f"intake_imports/{day:%Y/%m}/{filename}"


class ImportBatch(JobFields):
    """An uploaded list, kept with who imported it and what it created.

    Checking and applying it are background work on the task queue
    (``core.jobs``, ``intake.tasks.import_batch_run``): ``status`` says where
    the list stands (being checked, awaiting confirmation, refused, being
    imported, imported), the job fields how that work goes (queued, running
    with rows done of total, done, or failed with the reason).
    """

    site_lookup = "site"
    job_state_field = "job_state"
    job_task = "intake.tasks.import_batch_run"

    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="+", verbose_name=_("site")
    )
    kind = models.CharField(
        _("kind of list"), max_length=20, choices=ImportKind.choices
    )
    entry_route = models.ForeignKey(
        EntryRoute,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entry route"),
    )
    list_date = FactDateField(_("list date"))
    file = models.FileField(_("file"), upload_to=import_upload_to)
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("imported by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ImportStatus.choices,
        default=ImportStatus.PREVIEW,
    )
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    #: the check's result (``intake.importers.ImportCheck.to_json``): pages
    #: show it, never recompute it
    check_result = models.JSONField(_("check result"), default=dict, blank=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    apply_error = models.TextField(_("why the import was refused"), blank=True)
    people_created = models.PositiveIntegerField(_("people created"), default=0)
    people_matched = models.PositiveIntegerField(_("people matched"), default=0)
    cases_opened = models.PositiveIntegerField(_("cases opened"), default=0)
    job_state = models.CharField(
        _("background work"),
        max_length=10,
        choices=JobState.choices,
        default=JobState.DONE,
    )

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("list import")
        verbose_name_plural = _("list imports")

    def __str__(self) -> str:
        return f"{self.original_name} ({day_text(self.uploaded_at)})"

    def get_absolute_url(self) -> str:
        return reverse("intake:import_detail", args=[self.pk])

    @property
    def is_running(self) -> bool:
        """Its check or import is waiting for a worker or under way."""
        return self.status in (
            ImportStatus.CHECKING,
            ImportStatus.APPLYING,
        ) and self.job_state in (JobState.QUEUED, JobState.RUNNING)


def due_date_for(
    stage: IntakeStageDefinition,
    *,
    case: IntakeCase,
    prerequisites_done_on: datetime.date | None,
) -> datetime.date | None:
    """When the stage is due for ``case``, where the report sets a term."""
    return stage_due_on(
        stage,
        opened_on=case.opened_on,
        report_date=case.report_date,
        prerequisites_done_on=prerequisites_done_on,
    )


def stage_due_on(
    stage: IntakeStageDefinition,
    *,
    opened_on: datetime.date,
    report_date: datetime.date | None,
    prerequisites_done_on: datetime.date | None,
) -> datetime.date | None:
    """``due_date_for`` from a case's dates alone (the worklist reads
    thousands of cases as plain values, not as model instances)."""
    if stage.due_offset_days is None or not stage.due_anchor:
        return None
    anchor = {
        DueAnchor.OPENED: opened_on,
        DueAnchor.PREREQUISITES: prerequisites_done_on or opened_on,
        DueAnchor.REPORT_DATE: report_date,
    }.get(stage.due_anchor)
    if anchor is None:
        return None
    return add_days(anchor, stage.due_offset_days)

"""A site's intake process: its versions, entry routes and stage
definitions (with the due date of a stage for a case).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from core.dates import add_days
from core.fields import PlannedDateField
from core.models import Site, SiteVersion
from core.scoping import SiteScopedQuerySet
from intake.models.choices import DueAnchor, PrescanPartner, StageKind, StageOutcome
from partners.models import ConsentKind

if TYPE_CHECKING:
    from intake.models.cases import IntakeCase


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
            # defined after the stage definitions (models register in that order)
            from intake.models.events import refresh_stage_reach

            refresh_stage_reach(_cases_recorded_at(stage_ids))
        return count


def _cases_recorded_at(stage_ids: Iterable[int]) -> models.QuerySet:
    """The ids of the cases with an event at one of ``stage_ids``."""
    # defined after the stage definitions (models register in that order)
    from intake.models.events import StageEvent

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
                # defined after the stage definitions (models register in
                # that order)
                from intake.models.events import refresh_stage_reach

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

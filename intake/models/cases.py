"""The intake case: one person's way through a site's intake process,
and the check that a date on it does not lie before it was opened.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import check_not_before, day_text, raise_if
from core.fields import FactDateField, PlannedDateField
from core.models import CriteriaVersion, Person, Site
from core.scoping import SiteScopedQuerySet
from intake.models.choices import (
    PASSED_KIND_BITS,
    PASSED_OUTCOMES,
    AwarenessChannel,
    IntakeOutcome,
)
from intake.models.processes import (
    EntryRoute,
    IntakeProcessVersion,
    IntakeStageDefinition,
)

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
        # defined after the case (models register in that order)
        from intake.models.events import StageEvent

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

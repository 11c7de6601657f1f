"""The Bijlage 4 indicator catalogues and the measurements taken with them.

A catalogue is versioned per site: an answer points at the item row of the
version it was given under, so loading a changed catalogue file never alters
what was answered before (see ``evaluation.catalogue``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.manager import SIMPLE_HISTORY_REVERSE_ATTR_NAME, HistoryManager
from simple_history.models import HistoricalRecords

from core.fields import FactDateField, PlannedDateField
from core.models import Site
from core.scoping import SiteScopedQuerySet


class Moment(models.TextChoices):
    NULMETING = "nulmeting", "nulmeting"
    TUSSENMETING = "tussenmeting", "tussenmeting"
    EINDMETING = "eindmeting", "eindmeting"
    NAMETING = "nameting", "nameting"


MOMENT_ORDER = {moment: index for index, moment in enumerate(Moment.values)}


class AnswerType(models.TextChoices):
    GROUP = "group", _("heading with sub-items")
    SCALE5 = "scale5", _("five-point scale")
    YES_NO = "yes_no", _("yes/no")
    YES_NO_REASON = "yes_no_reason", _("yes/no, if no: reason why not")
    NUMBER = "number", _("number")
    DATE = "date", _("date")
    CHOICE = "choice", _("choice")
    MULTI_CHOICE = "multi_choice", _("multiple choice")
    TEXT = "text", _("text")


# The report's five-point scale, worded as in tables B4.1, B4.4 and B4.5.
SCALE5_CHOICES = [
    ("zeer_positief", "zeer positief"),
    ("positief", "positief"),
    ("neutraal", "neutraal"),
    ("negatief", "negatief"),
    ("zeer_negatief", "zeer negatief"),
]


class Category(models.TextChoices):
    INSTROOM = "instroom", "instroom"
    DOELGROEP = "doelgroep", "doelgroep"
    OUTPUT = "output", "output"
    PROCES = "proces", "proces"
    CONTEXTFACTOR = "contextfactor", "contextfactor"
    OUTCOME_KORT = "outcome_kort", "outcome (korte termijn)"
    OUTCOME_LANG = "outcome_lang", "outcome (lange termijn)"
    UITSTROOM = "uitstroom", "uitstroom"


EVALUATIONS = {"proces": "procesevaluatie", "effect": "effectevaluatie"}
METHODS = {
    "registratie": "registratie",
    "interviews": "interviews",
    "vragenlijst": "vragenlijst",
}
LEVELS = {
    "persoon": "persoonsniveau",
    "kv": "KV-niveau",
    "geaggregeerd": "geaggregeerd",
}

# The tables name moments only for the long-term outcomes. Person-level items
# without a named moment are asked once, at the moment their category belongs
# to: characteristics at intake (nulmeting), work goals as the state of affairs
# (tussenmeting) and the achieved situation (eindmeting), outflow data at
# outflow. The same rule holds for every site, so it is not part of the files.
CATEGORY_DEFAULT_MOMENTS: dict[str, tuple[str, ...]] = {
    Category.INSTROOM: (Moment.NULMETING,),
    Category.DOELGROEP: (Moment.NULMETING,),
    Category.OUTPUT: (Moment.EINDMETING,),
    Category.PROCES: (Moment.EINDMETING,),
    Category.CONTEXTFACTOR: (Moment.EINDMETING,),
    Category.OUTCOME_KORT: (Moment.TUSSENMETING, Moment.EINDMETING),
    Category.OUTCOME_LANG: (Moment.EINDMETING,),
    Category.UITSTROOM: (Moment.EINDMETING,),
}


class MissingReason(models.TextChoices):
    NOT_ASKED = "not_asked", _("not asked")
    REFUSED = "refused", _("refused")
    UNKNOWN = "unknown", _("unknown")
    NOT_APPLICABLE = "not_applicable", _("not applicable")


class CatalogueVersion(models.Model):
    """One loaded version of a site's indicator catalogue file."""

    site_lookup = "site"

    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        related_name="catalogue_versions",
        verbose_name=_("site"),
    )
    version = models.PositiveSmallIntegerField(_("version"))
    table = models.CharField(_("table in the report"), max_length=10)
    valid_from = PlannedDateField(_("valid from"))
    source_file = models.CharField(_("source file"), max_length=200)
    checksum = models.CharField(_("content checksum"), max_length=64)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["site", "-version"]
        verbose_name = _("catalogue version")
        verbose_name_plural = _("catalogue versions")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "version"], name="catalogue_version_unique_per_site"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site.code} {self.table} v{self.version}"


class RecordedAt(models.TextChoices):
    """Where an item is recorded: on the person's measurement or per KV."""

    PERSON = "persoon", _("per person (measurement of a stay)")
    KV = "kv", _("per KV (KV-level measurement)")


class Route(models.TextChoices):
    """How an item's value reaches the research dataset (research question 3b,
    "Wordt deze informatie reeds vastgelegd?", report L117)."""

    DERIVED = "derived", _("derived from this application's registration")
    RESEARCHER = "researcher", _("entered by the researcher")
    EXTERNAL_LINK = (
        "external_link",
        _("taken over from an external registration (source and date checked)"),
    )


class Topic(models.Model):
    site_lookup = "catalogue__site"

    catalogue = models.ForeignKey(
        CatalogueVersion,
        on_delete=models.CASCADE,
        related_name="topics",
        verbose_name=_("catalogue"),
    )
    code = models.SlugField(_("code"), max_length=60)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    title = models.CharField(_("topic"), max_length=200)
    evaluations = models.JSONField(_("evaluations"), default=list, blank=True)
    methods = models.JSONField(_("methods"), default=list, blank=True)
    levels = models.JSONField(_("levels"), default=list, blank=True)
    report_lines = models.CharField(_("report lines"), max_length=20, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["catalogue", "order"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        constraints = [
            models.UniqueConstraint(
                fields=["catalogue", "code"], name="topic_unique_code_per_catalogue"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def default_recorded_at(self) -> str:
        """Where the topic's items are recorded unless the file says otherwise.

        ``levels`` is the report's column: the level a figure is *reported*
        at. Topics only about the KV (interviews on cooperation, capacity,
        experience) have no person level; everything else is recorded on the
        person's measurement and aggregated from there.
        """
        return (
            RecordedAt.KV
            if "kv" in self.levels and "persoon" not in self.levels
            else RecordedAt.PERSON
        )

    def level_labels(self) -> list[str]:
        return [LEVELS.get(level, level) for level in self.levels]

    def evaluation_labels(self) -> list[str]:
        return [EVALUATIONS.get(value, value) for value in self.evaluations]


class Item(models.Model):
    """A bullet or sub-bullet of a table; ``var`` is its stable variable name."""

    site_lookup = "catalogue__site"

    catalogue = models.ForeignKey(
        CatalogueVersion,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("catalogue"),
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, related_name="items", verbose_name=_("topic")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    var = models.CharField(_("variable name"), max_length=41)
    text = models.TextField(_("text"))
    answer_type = models.CharField(
        _("answer type"), max_length=20, choices=AnswerType.choices
    )
    moments = models.JSONField(
        _("moments named in the report"), default=list, blank=True
    )
    choices = models.JSONField(_("answer choices"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    derived_from = models.CharField(
        _("derived from"),
        max_length=100,
        blank=True,
        help_text=_("Registered value shown instead of asking again."),
    )
    record_source = models.BooleanField(
        _("record source and date checked"), default=False
    )
    recorded_at = models.CharField(
        _("recorded"),
        max_length=10,
        choices=RecordedAt.choices,
        default=RecordedAt.PERSON,
    )
    # The registration map (see evaluation.registration): where the value is
    # held before anybody asks, and how it reaches the dataset. Empty for a
    # heading, which holds no value.
    registered_in = models.CharField(
        _("registered in"),
        max_length=120,
        blank=True,
        help_text=_(
            "This application's registration as app.Model.field, an external "
            "registration's code, or 'none'."
        ),
    )
    reaches_dataset = models.CharField(
        _("reaches the dataset"), max_length=20, choices=Route.choices, blank=True
    )
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    min_value = models.DecimalField(
        _("lowest plausible value"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    max_value = models.DecimalField(
        _("highest plausible value"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    decimals = models.PositiveSmallIntegerField(_("decimals"), default=0)
    condition = models.JSONField(
        _("asked only when"),
        default=dict,
        blank=True,
        help_text=_(
            "Variable and answer of the item above that calls for this one "
            "(e.g. 'Indien ja, ...')."
        ),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["catalogue", "order"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [
            models.UniqueConstraint(
                fields=["catalogue", "var"], name="item_unique_var_per_catalogue"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.var}: {self.text[:60]}"

    @property
    def is_group(self) -> bool:
        return self.answer_type == AnswerType.GROUP

    @property
    def is_kv_level(self) -> bool:
        """Recorded per KV (interview topics about the KV as a whole)."""
        return self.recorded_at == RecordedAt.KV

    @property
    def condition_var(self) -> str:
        return str((self.condition or {}).get("var", ""))

    @property
    def condition_value(self) -> Any:
        """The answer of ``condition_var`` that calls for this item, as stored
        (True/False for yes/no, the code for a choice)."""
        answer = (self.condition or {}).get("answer")
        return {"yes": True, "no": False}.get(answer, answer)

    def condition_answer_text(self, asked_by: Item | None) -> str:
        """The answer that calls for this item as the reader knows it: yes or
        no in their language, a choice by its label (``asked_by`` is the item
        above, whose choices name it)."""
        answer = (self.condition or {}).get("answer")
        if answer == "yes":
            return str(_("yes"))
        if answer == "no":
            return str(_("no"))
        for choice in (asked_by.choices if asked_by else None) or []:
            if choice.get("code") == answer:
                return str(choice.get("label", answer))
        return str(answer)

    def condition_met(self, answer: Any) -> bool | None:
        """Whether ``answer`` (the stored value of the item above) calls for
        this item; None while that answer is not known."""
        if not self.condition:
            return True
        if answer in (None, "", []):
            return None
        return answer == self.condition_value

    @property
    def label_with_unit(self) -> str:
        return f"{self.text} ({self.unit})" if self.unit else self.text

    def asked_at(self, category: str) -> tuple[str, ...]:
        """Moments at which a person-level item is asked."""
        if self.moments:
            return tuple(self.moments)
        return CATEGORY_DEFAULT_MOMENTS.get(category, ())

    def choice_pairs(self) -> list[tuple[str, str]]:
        if self.answer_type == AnswerType.SCALE5:
            return list(SCALE5_CHOICES)
        return [(choice["code"], choice["label"]) for choice in self.choices]

    def display(self, value: object) -> str:
        """A stored value as the user reads it."""
        if value is None or value == "" or value == []:
            return ""
        if isinstance(value, bool):
            return str(_("yes") if value else _("no"))
        labels = dict(self.choice_pairs())
        if isinstance(value, list):
            return ", ".join(labels.get(str(v), str(v)) for v in value)
        return labels.get(str(value), str(value))


class MeasurementStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    IN_PROGRESS = "in_progress", _("in progress")
    COMPLETE = "complete", _("complete (locked)")
    CANCELLED = "cancelled", _("cancelled (schedule adjusted)")
    NOT_TAKEN = "not_taken", _("not taken (registered afterwards)")


#: measurements that hold no data and never will unless someone enters it
#: afterwards: never on a to-do list, never in an export
WITHOUT_DATA = (MeasurementStatus.CANCELLED, MeasurementStatus.NOT_TAKEN)
#: measurements a research export holds: something was entered
TAKEN = (MeasurementStatus.IN_PROGRESS, MeasurementStatus.COMPLETE)


class Timing(models.TextChoices):
    """Where a measurement stands on a day: its status read with its window.

    The schedule lists, the completeness grid and the person page all show
    this, so one measurement reads the same everywhere.
    """

    DUE = "due", _("due")
    OVERDUE = "overdue", _("overdue")
    INCOMPLETE = "incomplete", _("not completed, window closed")
    MISSED = "missed", _("missed")
    UPCOMING = "upcoming", _("upcoming")
    WAITING = "waiting", _("waiting for outflow")
    DONE = "done", _("complete")
    CANCELLED = "cancelled", _("cancelled")
    NOT_TAKEN = "not_taken", _("not taken (registered afterwards)")


TIMING_HELP = {
    Timing.DUE: _("The window is open and the due date has not passed."),
    Timing.OVERDUE: _("The due date has passed; the window is still open."),
    Timing.INCOMPLETE: _(
        "The window has closed; answers were entered but the measurement was "
        "never completed. Complete it, giving a reason for each item left open."
    ),
    Timing.MISSED: _("The window has closed and nothing was entered."),
    Timing.UPCOMING: _("The window has not opened yet."),
    Timing.WAITING: _("The date follows from the outflow date, not known yet."),
    Timing.DONE: _("Completed and locked; reopen it, with a reason, to change it."),
    Timing.CANCELLED: _("No longer needed after the schedule changed."),
    Timing.NOT_TAKEN: _(
        "Its window had already closed when the stay, placement or outflow was "
        "registered, so it was never asked. It can still be filled in afterwards."
    ),
}


class MeasurementRecord(models.Model):
    """What a measurement of a person (``Measurement``) and of a KV as a
    whole (``KvMeasurement``) both record: how far it is, who completed it,
    and the version its optimistic lock compares."""

    status = models.CharField(
        _("status"),
        max_length=20,
        choices=MeasurementStatus.choices,
        default=MeasurementStatus.PLANNED,
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("completed by"),
    )
    version = models.PositiveIntegerField(
        default=1, editable=False, verbose_name=_("version")
    )

    class Meta:
        abstract = True

    @property
    def is_locked(self) -> bool:
        return self.status == MeasurementStatus.COMPLETE


class Measurement(MeasurementRecord):
    """One scheduled measurement moment of one stay."""

    site_lookup = "stay__site"
    person_lookup = "stay__person"

    stay = models.ForeignKey(
        "trajectories.Stay",
        on_delete=models.PROTECT,
        related_name="measurements",
        verbose_name=_("stay"),
    )
    catalogue = models.ForeignKey(
        CatalogueVersion,
        on_delete=models.PROTECT,
        related_name="measurements",
        verbose_name=_("catalogue version"),
    )
    moment = models.CharField(_("moment"), max_length=20, choices=Moment.choices)
    sequence = models.PositiveSmallIntegerField(
        _("sequence"),
        default=0,
        help_text=_("Number of the tussenmeting, or months after outflow."),
    )
    due_on = PlannedDateField(_("due on"), null=True, blank=True)
    window_start = PlannedDateField(_("window opens"), null=True, blank=True)
    window_end = PlannedDateField(_("window closes"), null=True, blank=True)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["stay", "due_on", "pk"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        constraints = [
            models.UniqueConstraint(
                fields=["stay", "moment", "sequence"],
                name="measurement_unique_moment_per_stay",
            ),
            models.CheckConstraint(
                condition=Q(window_end__isnull=True)
                | Q(window_start__isnull=True)
                | Q(window_end__gte=models.F("window_start")),
                name="measurement_window_end_after_start",
            ),
        ]
        indexes = [
            # the due / overdue / missed lists filter open moments by window
            models.Index(fields=["status", "window_end"], name="measurement_open"),
            # dashboards and case lists count the measurements due in a period
            models.Index(fields=["due_on"], name="measurement_due"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.moment == Moment.TUSSENMETING:
            return f"tussenmeting {self.sequence}"
        if self.moment == Moment.NAMETING:
            return str(_("nameting %(months)s months")) % {"months": self.sequence}
        return self.moment

    @property
    def column_key(self) -> str:
        return f"{self.moment}-{self.sequence}"

    def timing_on(self, day: datetime.date) -> str:
        """Where the measurement stands on ``day``: a ``Timing`` value."""
        if self.status == MeasurementStatus.COMPLETE:
            return Timing.DONE
        if self.status == MeasurementStatus.CANCELLED:
            return Timing.CANCELLED
        if self.status == MeasurementStatus.NOT_TAKEN:
            return Timing.NOT_TAKEN
        if self.due_on is None or self.window_start is None:
            return Timing.WAITING
        if day < self.window_start:
            return Timing.UPCOMING
        if day <= self.due_on:
            return Timing.DUE
        if self.window_end is None or day <= self.window_end:
            return Timing.OVERDUE
        if self.status == MeasurementStatus.IN_PROGRESS:
            return Timing.INCOMPLETE
        return Timing.MISSED


class _AnswerHistoryManager(HistoryManager):
    """History of answers with their item and owner read in the same query.

    The person history page prints every record (see ``answer_repr``); without
    this it would fetch the item and the measurement once per record.
    """

    owner_field = "measurement"

    def get_super_queryset(self) -> models.QuerySet:
        return super().get_super_queryset().select_related("item", self.owner_field)


class _KvAnswerHistoryManager(_AnswerHistoryManager):
    owner_field = "kv_measurement"


def answer_repr(answer: Answer | KvAnswer, owner_field: str) -> str:
    """An answer as a person reads it in a history line: the item's text
    (shortened), the moment, and the value or the reason it is missing."""
    # A copy rebuilt from a history record carries that record, whose item
    # and owner the history manager has already read.
    source = getattr(answer, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None) or answer
    item = source.item
    owner = getattr(source, owner_field)
    if answer.has_value:
        shown = Truncator(item.display(answer.value)).chars(60)
    elif answer.missing_reason:
        shown = gettext("missing: %(reason)s") % {
            "reason": answer.get_missing_reason_display()
        }
    else:
        shown = "-"
    return gettext("%(item)s (%(moment)s): %(value)s") % {
        "item": Truncator(item.text).chars(60),
        "moment": owner.label,
        "value": shown,
    }


class AnswerRecord(models.Model):
    """What an answer of a person's measurement (``Answer``) and of a KV-level
    measurement (``KvAnswer``) both hold: a value, or the reason it is
    missing (never both: ``value_or_missing_reason``)."""

    value = models.JSONField(_("value"), null=True, blank=True)
    missing_reason = models.CharField(
        _("reason the value is missing"),
        max_length=20,
        choices=MissingReason.choices,
        blank=True,
    )

    class Meta:
        abstract = True

    @staticmethod
    def value_or_missing_reason(name: str) -> models.CheckConstraint:
        """The rule as a CHECK; ``name`` is the model's own constraint name."""
        return models.CheckConstraint(
            condition=Q(value__isnull=True) | Q(missing_reason=""), name=name
        )

    @property
    def has_value(self) -> bool:
        return self.value not in (None, "", [])


class Answer(AnswerRecord):
    """The value of one item in one measurement; a gap carries its reason."""

    site_lookup = "measurement__stay__site"
    person_lookup = "measurement__stay__person"

    measurement = models.ForeignKey(
        Measurement,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("measurement"),
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="answers", verbose_name=_("item")
    )
    reason_text = models.TextField(_("if no: reason why not"), blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    checked_on = FactDateField(_("date checked"), null=True, blank=True)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords(history_manager=_AnswerHistoryManager)

    class Meta:
        ordering = ["measurement", "item__order"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["measurement", "item"], name="answer_unique_item"
            ),
            AnswerRecord.value_or_missing_reason("answer_value_or_missing_reason"),
        ]

    def __str__(self) -> str:
        return answer_repr(self, "measurement")


class KvMeasurement(MeasurementRecord):
    """Interview topics about the KV as a whole, for one site and period."""

    site_lookup = "site"

    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        related_name="kv_measurements",
        verbose_name=_("site"),
    )
    catalogue = models.ForeignKey(
        CatalogueVersion,
        on_delete=models.PROTECT,
        related_name="kv_measurements",
        verbose_name=_("catalogue"),
    )
    period_start = PlannedDateField(_("period from"))
    period_end = PlannedDateField(_("period until"))

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["site", "-period_start"]
        verbose_name = _("KV-level measurement")
        verbose_name_plural = _("KV-level measurements")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="kv_measurement_period_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["site", "period_start", "period_end"],
                name="kv_measurement_unique_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site.code} {self.period_start} - {self.period_end}"

    @property
    def label(self) -> str:
        return f"{self.period_start:%d-%m-%Y} - {self.period_end:%d-%m-%Y}"


class KvAnswer(AnswerRecord):
    """A KV-level item: a structured value plus the interview text."""

    site_lookup = "kv_measurement__site"

    kv_measurement = models.ForeignKey(
        KvMeasurement,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("kv measurement"),
    )
    item = models.ForeignKey(
        Item,
        on_delete=models.PROTECT,
        related_name="kv_answers",
        verbose_name=_("item"),
    )
    reason_text = models.TextField(_("interview notes"), blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    checked_on = FactDateField(_("date checked"), null=True, blank=True)
    # A code of fixtures/reference/respondent_groups.yaml; empty = not
    # specified (every answer given before the groups existed).
    respondent_group = models.CharField(
        _("respondent group"), max_length=40, blank=True
    )

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords(history_manager=_KvAnswerHistoryManager)

    class Meta:
        ordering = ["kv_measurement", "respondent_group", "item__order"]
        verbose_name = _("KV-level answer")
        verbose_name_plural = _("KV-level answers")
        constraints = [
            models.UniqueConstraint(
                fields=["kv_measurement", "item", "respondent_group"],
                name="kv_answer_unique_item_per_group",
            ),
            AnswerRecord.value_or_missing_reason("kv_answer_value_or_missing_reason"),
        ]

    def __str__(self) -> str:
        return answer_repr(self, "kv_measurement")


class MeasurementAnswerCount(models.Model):
    """How many answers a measurement holds: given, and missing per reason.

    A summary of ``Answer`` rows kept by ``evaluation.summaries`` in the
    transaction that writes them, so the completeness figures add up a row
    per measurement instead of reading every answer. A measurement without
    answers has no row. It is a table of its own, not columns on
    ``Measurement``: a measurement keeps a history and an optimistic-lock
    version, and a save of a measurement read before its answers changed
    would otherwise write stale counts back (and each count would be a
    history line).
    """

    measurement = models.OneToOneField(
        Measurement,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="answer_count",
        verbose_name=_("measurement"),
    )
    #: answers without a missing-data reason
    answered = models.PositiveIntegerField(_("answers given"), default=0)
    # one column per MissingReason: missing_<reason>
    missing_not_asked = models.PositiveIntegerField(_("not asked"), default=0)
    missing_refused = models.PositiveIntegerField(_("refused"), default=0)
    missing_unknown = models.PositiveIntegerField(_("unknown"), default=0)
    missing_not_applicable = models.PositiveIntegerField(_("not applicable"), default=0)

    class Meta:
        verbose_name = _("answer count of a measurement")
        verbose_name_plural = _("answer counts of measurements")

    def __str__(self) -> str:
        return f"{self.measurement_id}: {self.answered}"

    @staticmethod
    def missing_field(reason: str) -> str:
        return f"missing_{reason}"


class MeasurementFactorScore(models.Model):
    """The scored answers of one measurement on one protective factor.

    ``score_sum`` and ``answered`` sum the five-point answers of the factor's
    items (``evaluation.protective_factors``); a measurement has a row per
    factor it holds a scored answer for. The stay's site, the moment and the
    stay's outflow date are copied in, so the change on the factors is read
    from this table alone: the outflow date follows the stay through
    ``trajectories.signals.stay_changed`` (``evaluation.receivers``).
    """

    measurement = models.ForeignKey(
        Measurement,
        on_delete=models.CASCADE,
        related_name="factor_scores",
        verbose_name=_("measurement"),
    )
    factor = models.CharField(_("protective factor"), max_length=40)
    score_sum = models.PositiveIntegerField(_("sum of the scores"))
    answered = models.PositiveIntegerField(_("scored answers"))
    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("site"),
    )
    moment = models.CharField(_("moment"), max_length=20, choices=Moment.choices)
    # a copy of Stay.ended_on, a fact date like it
    stay_ended_on = FactDateField(_("outflow date of the stay"), null=True)

    class Meta:
        verbose_name = _("protective-factor score of a measurement")
        verbose_name_plural = _("protective-factor scores of measurements")
        constraints = [
            models.UniqueConstraint(
                fields=["measurement", "factor"],
                name="factor_score_unique_per_measurement",
            ),
        ]
        indexes = [
            # the change on the factors sums the stays that left in a period
            models.Index(
                fields=[
                    "stay_ended_on",
                    "site",
                    "moment",
                    "factor",
                    "score_sum",
                    "answered",
                ],
                name="factor_score_outflow",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measurement_id} {self.factor}: {self.score_sum}/{self.answered}"

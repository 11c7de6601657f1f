"""The indicator catalogue: versions per site, topics and items, and the
choices they use (moments, answer types, categories, missing reasons).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import PlannedDateField
from core.models import Site, SiteVersion
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


class CatalogueVersion(SiteVersion):
    """One loaded version of a site's indicator catalogue file.

    Unlike the other site versions it lists the newest first and names its
    report table: a catalogue is looked up by its latest version.
    """

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

    class Meta(SiteVersion.Meta):
        ordering = ["site", "-version"]
        verbose_name = _("catalogue version")
        verbose_name_plural = _("catalogue versions")
        constraints = [
            SiteVersion.unique_per_site("catalogue_version_unique_per_site"),
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

"""Stored summaries of a measurement's answers: answer counts and
protective-factor scores.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import FactDateField
from core.models import Site
from evaluation.models.catalogue import Moment
from evaluation.models.measurements import Measurement


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

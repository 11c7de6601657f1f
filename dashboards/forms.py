from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import Site
from core.periods import DateInput, Period, PeriodForm
from dashboards.exports.datasets import ExportFilters
from dashboards.models import ExportFormat
from evaluation.models import Moment, Topic


class ExportForm(PeriodForm):
    sites = forms.ModelMultipleChoiceField(
        label=_("sites"),
        queryset=Site.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    moments = forms.MultipleChoiceField(
        label=_("measurement moments"),
        choices=Moment.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every moment."),
    )
    topics = forms.MultipleChoiceField(
        label=_("topics"),
        choices=[],
        required=False,
        help_text=_("None chosen: every topic."),
    )
    format = forms.ChoiceField(label=_("format"), choices=ExportFormat.choices)
    date_shift = forms.BooleanField(
        label=_("shift dates per person"),
        required=False,
        help_text=_(
            "Every date of one person moves by the same number of days "
            "(1 to 180 earlier or later), so intervals stay true."
        ),
    )

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["start"].widget = DateInput()
        self.fields["end"].widget = DateInput()
        self.fields["sites"].queryset = sites
        self.fields["topics"].choices = list(
            Topic.objects.filter(catalogue__site__in=sites)
            .values_list("code", "title")
            .distinct()
            .order_by("code")
        )

    def filters(self) -> ExportFilters:
        data = self.cleaned_data
        return ExportFilters(
            site_ids=tuple(sorted(site.pk for site in data["sites"])),
            period=Period(data["start"], data["end"]),
            moments=tuple(data["moments"]),
            topics=tuple(data["topics"]),
            date_shift=data["date_shift"],
        )

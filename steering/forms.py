"""Forms of meetings, decisions, actions and the forecast; choices are
limited to the meeting's site."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from core.concurrency import VersionedFormMixin
from core.models import CriteriaVersion, Site
from core.service_forms import DateInput
from intake.models import IntakeCase, IntakeProcessVersion
from partners.models import Organisation
from steering.models import (
    Decision,
    ForecastAlertRule,
    ForecastVersion,
    Meeting,
    MeetingKind,
)

MAX_FIGURE = 100000
#: at most this many intake cases per decision (bounded work per request)
MAX_CASES = 20
CASE_NUMBERS_INVALID = _(
    "Give case numbers such as #103, #104 (at most %(max)s), separated by commas."
)
CASE_NUMBERS_UNKNOWN = _("No intake case of this site has number %(numbers)s.")
FORECAST_NEEDS_A_FIGURE = _(
    "Fill in at least one figure: candidates, intake cases, placements or occupancy."
)


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["kind", "held_on", "organisations", "other_attendees", "notes"]
        widgets = {
            "held_on": DateInput(),
            "organisations": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, site: Site, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = MeetingKind.objects.filter(site=site)
        self.fields["kind"].empty_label = None
        self.fields["organisations"].queryset = Organisation.objects.for_site(
            site
        ).order_by("name")


class DecisionForm(forms.ModelForm):
    case_numbers = forms.CharField(
        label=_("intake cases"),
        required=False,
        max_length=200,
        help_text=_("Case numbers, e.g. #103, #104 (optional)."),
    )

    class Meta:
        model = Decision
        fields = ["text", "criteria_version", "process_version"]

    def __init__(self, *args: Any, site: Site, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.site = site
        self.fields["criteria_version"].queryset = CriteriaVersion.objects.filter(
            site=site
        ).select_related("site")
        self.fields["process_version"].queryset = IntakeProcessVersion.objects.filter(
            site=site
        ).select_related("site")

    def clean_case_numbers(self) -> list[IntakeCase]:
        text = self.cleaned_data.get("case_numbers") or ""
        parts = [part.strip().lstrip("#") for part in re.split(r"[,;\s]+", text)]
        parts = [part for part in parts if part]
        if len(parts) > MAX_CASES or not all(part.isdigit() for part in parts):
            raise ValidationError(CASE_NUMBERS_INVALID, params={"max": MAX_CASES})
        numbers = {int(part) for part in parts if len(part) <= 9}
        if len(numbers) != len(set(parts)):
            raise ValidationError(CASE_NUMBERS_INVALID, params={"max": MAX_CASES})
        cases = list(IntakeCase.objects.filter(site=self.site, pk__in=numbers))
        missing = numbers - {case.pk for case in cases}
        if missing:
            raise ValidationError(
                CASE_NUMBERS_UNKNOWN,
                params={"numbers": ", ".join(f"#{n}" for n in sorted(missing))},
            )
        return cases


class ActionForm(forms.Form):
    description = forms.CharField(label=_("action"), widget=forms.Textarea)
    owner = forms.ModelChoiceField(label=_("owner"), queryset=None)
    due_on = forms.DateField(label=_("due date"), widget=DateInput())
    decision = forms.ModelChoiceField(
        label=_("decision"), queryset=None, required=False
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (
            get_user_model()
            .objects.filter(memberships__site=meeting.site, is_active=True)
            .distinct()
            .order_by("last_name", "first_name", "username")
        )
        self.fields["owner"].label_from_instance = _user_label
        self.fields["decision"].queryset = meeting.decisions.all()


def _user_label(user: Any) -> str:
    return user.get_full_name() or user.get_username()


class ActionDoneForm(forms.Form):
    done_on = forms.DateField(label=_("done on"), widget=DateInput())


class ForecastVersionForm(forms.ModelForm):
    class Meta:
        model = ForecastVersion
        fields = [
            "valid_from",
            "candidates_per_year",
            "intakes_per_year",
            "placements_per_year",
            "occupancy",
            "source",
            "basis",
        ]
        widgets = {"valid_from": DateInput()}

    def __init__(self, *args: Any, site: Site, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.site = site
        for name in (
            "candidates_per_year",
            "intakes_per_year",
            "placements_per_year",
            "occupancy",
        ):
            # a number no project plan reaches; keeps the database column safe
            self.fields[name].validators.append(MaxValueValidator(MAX_FIGURE))
            self.fields[name].widget.attrs["max"] = MAX_FIGURE

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        figures = (
            "candidates_per_year",
            "intakes_per_year",
            "placements_per_year",
            "occupancy",
        )
        if not any(data.get(name) is not None for name in figures):
            raise ValidationError(FORECAST_NEEDS_A_FIGURE, code="no_figure")
        return data

    def validate_unique(self) -> None:
        # the service numbers the version and checks the start day
        return


class ForecastAlertRuleForm(VersionedFormMixin, forms.ModelForm):
    # choices rather than free numbers: every value is one the rule accepts
    share_percent = forms.TypedChoiceField(
        label=_("warn below this share of the forecast (%)"),
        choices=[(n, f"{n}%") for n in range(1, 101)],
        coerce=int,
    )
    months = forms.TypedChoiceField(
        label=_("for this many months in a row"),
        choices=[(n, str(n)) for n in range(1, 25)],
        coerce=int,
    )

    class Meta:
        model = ForecastAlertRule
        fields = ["share_percent", "months"]

"""Forms for stays, plans and work. Validation of rules lives in the
services; forms only parse input and show the services' errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.concurrency import VERSION_FIELD, VersionedFormMixin
from core.dates import PlausibleDateFormField
from core.models import PlaceType
from core.service_forms import (
    DateInput,
    ServiceValidatedModelForm,
    bound_date,
    limit_place_types,
)
from partners.models import Organisation
from trajectories.models import (
    Activity,
    EmployerCheck,
    Employment,
    Goal,
    Incident,
    IndividualPlan,
    JobSearchActivity,
    LegalTitle,
    LocationPeriod,
    OutflowType,
    PayKind,
    PlanFormDefinition,
    ProgrammePhase,
    Review,
    Stay,
    StayStepDefinition,
)
from trajectories.services.plans import PLAN_FIELD_REQUIRED

YES_NO = [(True, _("yes")), (False, _("no"))]
PHASE_NOT_ON_DAY = _(
    "This phase did not run on the chosen day. The list shows the phases of that day."
)


def _versioned_only_when_editing(form: forms.ModelForm) -> None:
    """A new record has no version to compare: its form carries none."""
    if not form.instance.pk:
        del form.fields[VERSION_FIELD]


def yes_no_field(*, label: Any, required: bool, help_text: Any = "") -> forms.Field:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value in (True, "True"),
        empty_value=None,
        required=required,
        help_text=help_text,
        widget=forms.RadioSelect,
    )


STAY_CREATE_INTRO = _(
    "A placement registered here is a non-participant on a KV place. "
    "Someone who passed the KV intake is placed from the intake case and "
    "counts as a participant."
)


class StayCreateForm(forms.Form):
    """Place a person directly: a non-participant on a KV place (participants
    are placed from their intake case)."""

    place_type = forms.ModelChoiceField(
        queryset=PlaceType.objects.none(), label=_("place type")
    )
    placed_on = PlausibleDateFormField(label=_("placement date"), widget=DateInput())
    legal_title = forms.ChoiceField(
        label=_("legal title"),
        choices=[("", _("the site's usual legal title")), *LegalTitle.choices],
        required=False,
    )
    expected_end = PlausibleDateFormField(
        label=_("expected end"), required=False, widget=DateInput()
    )
    capacity_override_reason = forms.CharField(
        label=_("reason to place above capacity"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, site: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_place_types(
            self.fields["place_type"], site=site, day=bound_date(self, "placed_on")
        )


class StayUpdateForm(VersionedFormMixin, ServiceValidatedModelForm):
    class Meta:
        model = Stay
        fields = ["legal_title", "expected_end", "participant"]
        widgets = {"expected_end": DateInput()}


class PhaseChangeForm(forms.Form):
    phase = forms.ModelChoiceField(
        queryset=ProgrammePhase.objects.none(),
        label=_("programme phase"),
        required=False,
    )
    place_type = forms.ModelChoiceField(
        queryset=PlaceType.objects.none(), label=_("place type")
    )
    started_on = PlausibleDateFormField(label=_("from"), widget=DateInput())
    capacity_override_reason = forms.CharField(
        label=_("reason to place above capacity"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, stay: Stay, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        day = bound_date(self, "started_on")
        # Only the phases that ran on the day (Krimpen: DC IIa from May 2020)
        # and the place types with realised capacity then.
        self.fields["phase"].queryset = ProgrammePhase.objects.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
            site_id=stay.site_id,
        )
        self.fields["phase"].error_messages["invalid_choice"] = PHASE_NOT_ON_DAY
        limit_place_types(self.fields["place_type"], site=stay.site_id, day=day)
        if stay.place_type_id in {pt.pk for pt in self.fields["place_type"].queryset}:
            self.fields["place_type"].initial = stay.place_type_id


class StayStepForm(forms.Form):
    """Record a step that follows the placement (Amsterdam's start meeting)."""

    definition = forms.ModelChoiceField(
        queryset=StayStepDefinition.objects.none(), label=_("step")
    )
    occurred_on = PlausibleDateFormField(label=_("date"), widget=DateInput())

    def __init__(self, *args: Any, stay: Stay, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        steps = StayStepDefinition.objects.filter(site_id=stay.site_id).exclude(
            steps__stay=stay
        )
        self.fields["definition"].queryset = steps
        if len(steps) == 1:
            self.fields["definition"].initial = steps[0].pk


class LocationForm(ServiceValidatedModelForm):
    class Meta:
        model = LocationPeriod
        fields = ["status", "started_on", "ended_on", "reason"]
        widgets = {"started_on": DateInput(), "ended_on": DateInput()}


class IncidentForm(ServiceValidatedModelForm):
    class Meta:
        model = Incident
        fields = [
            "occurred_on",
            "kind",
            "detection",
            "consequence",
            "return_days",
            "decided_on",
            "decided_by",
            "description",
        ]
        widgets = {"occurred_on": DateInput(), "decided_on": DateInput()}


class OutflowForm(forms.Form):
    ended_on = PlausibleDateFormField(label=_("outflow date"), widget=DateInput())
    outflow_type = forms.ChoiceField(
        label=_("outflow type"), choices=OutflowType.choices
    )
    aftercare_municipality = forms.CharField(
        label=_("after-care municipality"), required=False, max_length=100
    )
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea)


class PlanForm(VersionedFormMixin, ServiceValidatedModelForm):
    """The plan in the site's own form: which fields show and which are
    required comes from the site's ``PlanFormDefinition``."""

    class Meta:
        model = IndividualPlan
        fields = ["name", "drawn_up_on", "notes"]
        widgets = {"drawn_up_on": DateInput()}

    def __init__(
        self, *args: Any, definition: PlanFormDefinition, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.fields["name"].required = False
        self.fields["name"].initial = definition.plan_name
        if not self.instance.pk:
            del self.fields[VERSION_FIELD]
        for spec in definition.field_specs():
            self.fields[spec["name"]] = self._configured_field(spec)
            if self.instance.pk:
                self.initial[spec["name"]] = getattr(self.instance, spec["name"])
        # Notes last, after the site's own fields.
        self.fields["notes"] = self.fields.pop("notes")

    def _configured_field(self, spec: dict[str, Any]) -> forms.Field:
        model_field = IndividualPlan._meta.get_field(spec["name"])
        label = spec.get("label") or model_field.verbose_name
        required = bool(spec.get("required"))
        help_text = spec.get("help", "")
        if isinstance(model_field, models.BooleanField):
            field = yes_no_field(label=label, required=required, help_text=help_text)
        else:
            field = model_field.formfield(required=required, help_text=help_text)
            field.label = label
        field.error_messages["required"] = PLAN_FIELD_REQUIRED % {
            "site": self.definition.site.name,
            "plan": self.definition.plan_name,
        }
        if isinstance(field, forms.DateField):
            field.widget = DateInput()
        return field

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != VERSION_FIELD}


class GoalForm(VersionedFormMixin, ServiceValidatedModelForm):
    class Meta:
        model = Goal
        fields = ["domain", "description", "target_date", "status"]
        widgets = {
            "target_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, definition: PlanFormDefinition, **kwargs: Any):
        super().__init__(*args, **kwargs)
        domains = definition.domains.all()
        self.fields["domain"].queryset = domains
        # The protective factors and DJI's basic conditions are two lists:
        # one group each in the menu (the queryset still validates).
        groups: dict[str, list[tuple[int, str]]] = {}
        for domain in domains:
            groups.setdefault(capfirst(domain.get_framework_display()), []).append(
                (domain.pk, capfirst(domain.name))
            )
        self.fields["domain"].choices = [("", "---------"), *groups.items()]
        _versioned_only_when_editing(self)


class ActivityForm(VersionedFormMixin, ServiceValidatedModelForm):
    class Meta:
        model = Activity
        fields = [
            "description",
            "responsible_organisation",
            "performing_organisation",
            "responsible_person",
            "status",
            "due_on",
            "done_on",
            "not_done_reason",
        ]
        widgets = {
            "due_on": DateInput(),
            "done_on": DateInput(),
            "not_done_reason": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, site: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.for_site(site).order_by("name")
        self.fields["responsible_organisation"].queryset = organisations
        performer = self.fields["performing_organisation"]
        performer.queryset = organisations
        performer.empty_label = _("the responsible partner")
        performer.help_text = _(
            "Change this only when another party did the activity, e.g. the PI "
            "or the KV itself took it over."
        )
        _versioned_only_when_editing(self)


class ReviewForm(ServiceValidatedModelForm):
    class Meta:
        model = Review
        fields = ["held_on", "kind", "participants", "notes", "next_review_on"]
        widgets = {"held_on": DateInput(), "next_review_on": DateInput()}


class EmploymentForm(VersionedFormMixin, ServiceValidatedModelForm):
    employer_name = forms.CharField(label=_("employer"), max_length=200)
    pay_kind = forms.ChoiceField(
        label=_("paid / unpaid / volunteer"),
        choices=PayKind.choices,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Employment
        fields = [
            "employer_name",
            "job_title",
            "hours_per_week",
            "pay_kind",
            "started_on",
            "origin",
            "ended_on",
            "continued_after_outflow",
            "verifiable_with_employer",
            "within_travel_distance",
            "employer_contact",
            "agreements",
        ]
        widgets = {"started_on": DateInput(), "ended_on": DateInput()}
        help_texts = {
            "started_on": _(
                "A date in the future means a planned start: the job is agreed "
                "but has not begun yet."
            )
        }

    def __init__(self, *args: Any, has_work_rules: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["employer_name"] = self.instance.employer.name
        self.fields["continued_after_outflow"] = yes_no_field(
            label=Employment._meta.get_field("continued_after_outflow").verbose_name,
            required=False,
        )
        if self.instance.pk:
            self.initial["continued_after_outflow"] = (
                self.instance.continued_after_outflow
            )
        if has_work_rules:
            # Asked only where the site has work rules; the service decides
            # whether this job breaks them.
            self.fields["confirm_rule_breach"] = forms.BooleanField(
                required=False,
                label=_("Save this job although it breaks the site's work rules"),
            )
            self.fields["rule_breach_reason"] = forms.CharField(
                required=False,
                label=Employment._meta.get_field("rule_breach_reason").verbose_name,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.initial.setdefault(
                "confirm_rule_breach", bool(self.instance.rule_breach_reason)
            )
            self.initial.setdefault(
                "rule_breach_reason", self.instance.rule_breach_reason
            )
        _versioned_only_when_editing(self)

    def rule_breach_data(self) -> dict[str, Any]:
        """The confirmation and reason for the service (empty without rules)."""
        data = self.cleaned_data
        return {
            "confirm_rule_breach": bool(data.get("confirm_rule_breach")),
            "rule_breach_reason": data.get("rule_breach_reason") or "",
        }


class EmployerCheckForm(ServiceValidatedModelForm):
    class Meta:
        model = EmployerCheck
        fields = ["checked_on", "method", "confirmed", "checked_by", "notes"]
        widgets = {"checked_on": DateInput()}


class JobSearchForm(ServiceValidatedModelForm):
    class Meta:
        model = JobSearchActivity
        fields = ["kind", "occurred_on", "used", "reason_not_used", "notes"]
        widgets = {"occurred_on": DateInput()}

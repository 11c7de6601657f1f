from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.concurrency import VERSION_FIELD, VersionedFormMixin
from core.dates import PlausibleDateFormField
from core.models import Criterion, Site
from core.scoping import CASE_WRITE_ROLES
from core.service_forms import DateInput, bound_date, limit_place_types
from core.uploads import HeldUpload
from intake.models import (
    AwarenessChannel,
    CheckResult,
    EndReasonCode,
    EntryRoute,
    ImportKind,
    IntakeCase,
    IntakeOutcome,
    IntakeStageDefinition,
    PrescanPartner,
    StageKind,
    StageOutcome,
)
from intake.selectors import current_entry_routes
from intake.services import EXCEPTION_NEEDS_REASON
from partners.models import Organisation


def _today() -> Any:
    return timezone.localdate()


def _route_label(route: EntryRoute) -> str:
    label = f"{route.process.site.name}: {route.name}"
    return f"{label} ({_('planned')})" if route.planned_only else label


class CaseOpenForm(forms.Form):
    person = forms.ModelChoiceField(queryset=None, label=_("person"))
    opened_on = PlausibleDateFormField(
        label=_("opened on"), widget=DateInput(), initial=_today
    )
    entry_route = forms.ModelChoiceField(queryset=None, label=_("entry route"))
    referring_organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label=_("referring organisation"),
    )
    referring_person = forms.CharField(
        max_length=200, required=False, label=_("referring person")
    )
    heard_via = forms.ChoiceField(
        choices=AwarenessChannel.choices, required=False, label=_("heard of the KV via")
    )
    report_date = PlausibleDateFormField(
        required=False, label=_("report date (meldingsdatum)"), widget=DateInput()
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from core.models import Person

        self.fields["person"].queryset = Person.objects.visible_to(
            user, CASE_WRITE_ROLES
        ).select_related("site")
        self.fields[
            "referring_organisation"
        ].queryset = Organisation.objects.visible_to(user, CASE_WRITE_ROLES)
        # Routes of the process version in force today; a case keeps its own
        # (older) version, shown on the case and its edit form.
        self.fields["entry_route"].queryset = current_entry_routes(
            sites=Site.objects.visible_to(user, CASE_WRITE_ROLES)
        ).filter(planned_only=False)
        self.fields["entry_route"].label_from_instance = _route_label

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        person, route = data.get("person"), data.get("entry_route")
        if person and route and route.process.site_id != person.site_id:
            self.add_error("entry_route", _("Choose a route of the person's site."))
        referrer = data.get("referring_organisation")
        if (
            person
            and referrer
            and not Organisation.objects.for_site(person.site)
            .filter(pk=referrer.pk)
            .exists()
        ):
            self.add_error(
                "referring_organisation",
                _("Choose an organisation of the person's site."),
            )
        return data


class CaseVersionedForm(VersionedFormMixin, forms.Form):
    """A form on an intake case that carries the case version the page showed
    (optimistic locking, core.concurrency): a save after someone else changed
    the case is refused and shown with what changed."""

    def __init__(self, *args: Any, case: IntakeCase, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[VERSION_FIELD].initial = case.version

    def service_data(self) -> dict[str, Any]:
        """The cleaned input without the version (passed apart)."""
        return {k: v for k, v in self.cleaned_data.items() if k != VERSION_FIELD}


class CaseUpdateForm(CaseVersionedForm):
    entry_route = forms.ModelChoiceField(queryset=None, label=_("entry route"))
    referring_organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label=_("referring organisation"),
    )
    referring_person = forms.CharField(
        max_length=200, required=False, label=_("referring person")
    )
    heard_via = forms.ChoiceField(
        choices=AwarenessChannel.choices, required=False, label=_("heard of the KV via")
    )
    report_date = PlausibleDateFormField(
        required=False, label=_("report date (meldingsdatum)"), widget=DateInput()
    )

    def __init__(self, *args: Any, case: IntakeCase, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "entry_route": case.entry_route_id,
                "referring_organisation": case.referring_organisation_id,
                "referring_person": case.referring_person,
                "heard_via": case.heard_via,
                "report_date": case.report_date,
            },
        )
        super().__init__(*args, case=case, **kwargs)
        self.fields["entry_route"].queryset = EntryRoute.objects.filter(
            process_id=case.process_id
        ).select_related("process__site")
        self.fields["entry_route"].label_from_instance = _route_label
        self.fields["referring_organisation"].queryset = Organisation.objects.for_site(
            case.site
        )


def performing_organisation_field(default_label: Any) -> forms.ModelChoiceField:
    """ "Who did the work": empty means the agreed organisation."""
    return forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=default_label,
        label=_("performed by"),
        help_text=_(
            "Change this only when another party did the work, e.g. the PI or "
            "the KV itself took the task over."
        ),
    )


class StageEventForm(CaseVersionedForm):
    stage = forms.ModelChoiceField(queryset=None, label=_("stage"))
    occurred_on = PlausibleDateFormField(
        label=_("date"), widget=DateInput(), initial=_today
    )
    outcome = forms.ChoiceField(choices=StageOutcome.choices, label=_("outcome"))
    performing_organisation = performing_organisation_field(
        _("the organisation the stage is agreed to")
    )

    def __init__(self, *args: Any, case: IntakeCase, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        self.fields["stage"].queryset = IntakeStageDefinition.objects.filter(
            process_id=case.process_id
        ).exclude(kind=StageKind.PRESCAN)
        self.fields["performing_organisation"].queryset = Organisation.objects.for_site(
            case.site
        )


class PrescanAnswerForm(CaseVersionedForm):
    partner = forms.ChoiceField(choices=PrescanPartner.choices, label=_("partner"))
    asked_on = PlausibleDateFormField(
        label=_("asked on"), widget=DateInput(), initial=_today
    )
    answered_on = PlausibleDateFormField(
        label=_("answered on"), widget=DateInput(), initial=_today
    )
    objection = forms.TypedChoiceField(
        choices=[("no", _("no objection")), ("yes", _("objection"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        label=_("objection"),
    )
    performing_organisation = performing_organisation_field(
        _("the organisation agreed for this partner")
    )

    def __init__(self, *args: Any, case: IntakeCase, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        self.fields["performing_organisation"].queryset = Organisation.objects.for_site(
            case.site
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        asked, answered = data.get("asked_on"), data.get("answered_on")
        if asked and answered and answered < asked:
            self.add_error("answered_on", _("The answer cannot precede the question."))
        return data


class CriteriaChecklistForm(CaseVersionedForm):
    """The whole checklist of the case's criteria version in one form."""

    checked_on = PlausibleDateFormField(
        label=_("checked on"), widget=DateInput(), initial=_today
    )

    def __init__(self, *args: Any, case: IntakeCase, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        existing = {check.criterion_id: check for check in case.criterion_checks.all()}
        self.criteria = list(
            Criterion.objects.filter(version_id=case.criteria_version_id)
        )
        for criterion in self.criteria:
            check = existing.get(criterion.pk)
            # A hard criterion is met or not: no exception is offered for it.
            choices = [
                (value, label)
                for value, label in CheckResult.choices
                if value != CheckResult.EXCEPTION or not criterion.hard
            ]
            self.fields[f"result_{criterion.pk}"] = forms.ChoiceField(
                choices=[("", "-"), *choices],
                required=False,
                label=criterion.text,
                initial=check.result if check else "",
            )
            if not criterion.hard:
                self.fields[f"reason_{criterion.pk}"] = forms.CharField(
                    required=False,
                    label=_("reason for the exception"),
                    initial=check.exception_reason if check else "",
                    widget=forms.TextInput(attrs={"size": 30}),
                )

    def rows(self) -> list[tuple[Criterion, Any, Any]]:
        return [
            (
                c,
                self[f"result_{c.pk}"],
                None if c.hard else self[f"reason_{c.pk}"],
            )
            for c in self.criteria
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for criterion in self.criteria:
            result = data.get(f"result_{criterion.pk}")
            reason = (data.get(f"reason_{criterion.pk}") or "").strip()
            if result == CheckResult.EXCEPTION and not reason:
                self.add_error(f"reason_{criterion.pk}", EXCEPTION_NEEDS_REASON)
        return data

    def answers(self) -> list[tuple[Criterion, str, str]]:
        data = self.cleaned_data
        return [
            (c, data[f"result_{c.pk}"], data.get(f"reason_{c.pk}") or "")
            for c in self.criteria
            if data.get(f"result_{c.pk}")
        ]


class DocumentForm(CaseVersionedForm):
    document = forms.ChoiceField(label=_("document or advice"))
    received_on = PlausibleDateFormField(
        label=_("received on"), widget=DateInput(), initial=_today
    )

    def __init__(self, *args: Any, case: IntakeCase, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        self.stages = {
            stage.pk: stage
            for stage in IntakeStageDefinition.objects.filter(
                process_id=case.process_id
            )
        }
        # One group per stage, in the order of the process.
        self.fields["document"].choices = [
            (
                stage.name,
                [
                    (f"{stage.pk}:{document['code']}", document["name"])
                    for document in stage.documents
                ],
            )
            for stage in sorted(self.stages.values(), key=lambda s: s.order)
            if stage.documents
        ]

    def clean_document(self) -> tuple[IntakeStageDefinition, str]:
        stage_pk, code = self.cleaned_data["document"].split(":", 1)
        return self.stages[int(stage_pk)], code


class PlacementForm(CaseVersionedForm):
    decided_on = PlausibleDateFormField(
        label=_("decision date"), widget=DateInput(), initial=_today
    )
    place_type = forms.ModelChoiceField(queryset=None, label=_("place type"))
    placed_on = PlausibleDateFormField(
        label=_("placement date"), widget=DateInput(), initial=_today
    )
    capacity_override_reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("reason to place above capacity"),
        help_text=_("Only when all places are taken."),
    )

    def __init__(self, *args: Any, case: IntakeCase, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        limit_place_types(
            self.fields["place_type"],
            site=case.site_id,
            day=bound_date(self, "placed_on"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        decided, placed = data.get("decided_on"), data.get("placed_on")
        if decided and placed and placed < decided:
            self.add_error("placed_on", _("Placement cannot precede the decision."))
        return data


class CaseCloseForm(CaseVersionedForm):
    outcome = forms.ChoiceField(label=_("end"))
    closed_on = PlausibleDateFormField(
        label=_("end date"), widget=DateInput(), initial=_today
    )
    reasons = forms.MultipleChoiceField(
        choices=EndReasonCode.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("reasons"),
    )
    criteria = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("criteria not met"),
    )
    prescan_partners = forms.MultipleChoiceField(
        choices=PrescanPartner.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("objecting pre-scan partners"),
    )
    stage = forms.ModelChoiceField(
        queryset=None, required=False, label=_("stage where it ended")
    )

    def __init__(self, *args: Any, case: IntakeCase, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        ends = [
            (value, label)
            for value, label in IntakeOutcome.choices
            if value not in (IntakeOutcome.OPEN, IntakeOutcome.PLACED)
            and (value != IntakeOutcome.HANDED_BACK or case.process.hand_back_to)
        ]
        self.fields["outcome"].choices = ends
        self.fields["criteria"].queryset = Criterion.objects.filter(
            version_id=case.criteria_version_id
        )
        self.fields["criteria"].label_from_instance = lambda c: (
            f"{capfirst(c.get_kind_display())}: {c.text}"
        )
        self.fields["stage"].queryset = IntakeStageDefinition.objects.filter(
            process_id=case.process_id
        )


KEPT_FILE = _(
    "%(name)s is kept from your last attempt: it is used unless you choose "
    "another file."
)


class ImportUploadForm(forms.Form):
    site = forms.ModelChoiceField(queryset=None, label=_("site"), to_field_name="code")
    kind = forms.ChoiceField(choices=ImportKind.choices, label=_("kind of list"))
    entry_route = forms.ModelChoiceField(queryset=None, label=_("entry route"))
    list_date = PlausibleDateFormField(
        label=_("list date"), widget=DateInput(), initial=_today
    )
    # Not required when a file from an earlier, refused submission is kept
    # (core.uploads): a browser cannot fill in a file input again.
    file = forms.FileField(label=_("file (.xlsx or .csv)"), required=False)

    def __init__(
        self, *args: Any, user: Any, held: HeldUpload | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.held = held
        # Only sites and routes that take lists today (DJI list, DIZ call-up).
        routes = current_entry_routes(
            sites=Site.objects.visible_to(user, CASE_WRITE_ROLES)
        ).filter(importable=True, planned_only=False)
        self.fields["entry_route"].queryset = routes
        self.fields["entry_route"].label_from_instance = _route_label
        self.fields["site"].queryset = Site.objects.filter(
            pk__in=routes.values("process__site")
        )
        if len(self.fields["site"].queryset) == 1:
            self.fields["site"].initial = self.fields["site"].queryset[0].code
        if len(routes) == 1:
            self.fields["entry_route"].initial = routes[0].pk
        if held is not None:
            self.fields["file"].help_text = KEPT_FILE % {"name": held.name}

    @property
    def takes_lists(self) -> bool:
        return self.fields["entry_route"].queryset.exists()

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if not upload and self.held is None:
            raise forms.ValidationError(
                self.fields["file"].error_messages["required"], code="required"
            )
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        site, route = data.get("site"), data.get("entry_route")
        if site and route and route.process.site_id != site.pk:
            self.add_error("entry_route", _("Choose a route of this site."))
        return data

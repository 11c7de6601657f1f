"""Forms for partners; rules are checked by ``partners.services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.dates import PlausibleDateFormField
from core.models import Site
from core.service_forms import DateInput, ServiceValidatedModelForm
from partners.models import (
    CaseRole,
    Consent,
    ContactPerson,
    NetworkContact,
    NetworkMember,
    Organisation,
    RoleContact,
)


class OrganisationForm(ServiceValidatedModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "kind", "sites", "phone", "email"]
        widgets = {"sites": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sites"].queryset = sites
        self.fields["sites"].required = True


class ContactPersonForm(ServiceValidatedModelForm):
    class Meta:
        model = ContactPerson
        fields = ["name", "function", "phone", "email", "backup"]

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["backup"].queryset = organisation.contacts.filter(active=True)


class CaseRoleForm(ServiceValidatedModelForm):
    class Meta:
        model = CaseRole
        fields = ["role", "organisation", "contact", "name", "started_on", "note"]
        widgets = {"started_on": DateInput(), "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, site: Site, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.for_site(site).order_by("name")
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].empty_label = _(
            "the contact's organisation, or the one agreed for this role"
        )
        self.fields["organisation"].help_text = _(
            "The organisation that plays the role. Choose another one only when "
            "another party took the role over."
        )
        self.fields["contact"].queryset = ContactPerson.objects.filter(
            organisation__in=organisations, active=True
        ).select_related("organisation")


class RoleContactForm(ServiceValidatedModelForm):
    class Meta:
        model = RoleContact
        fields = ["contacted_on", "kind", "report_on", "notes"]
        widgets = {"contacted_on": DateInput(), "report_on": DateInput()}


class ConsentForm(ServiceValidatedModelForm):
    class Meta:
        model = Consent
        fields = ["kind", "given_on", "scope", "document"]
        widgets = {"given_on": DateInput(), "scope": forms.Textarea(attrs={"rows": 2})}


class ConsentWithdrawForm(forms.Form):
    withdrawn_on = PlausibleDateFormField(label=_("withdrawn on"), widget=DateInput())
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class NetworkMemberForm(ServiceValidatedModelForm):
    class Meta:
        model = NetworkMember
        fields = ["relation", "name", "supportive", "note"]


class NetworkContactForm(ServiceValidatedModelForm):
    class Meta:
        model = NetworkContact
        fields = ["contacted_on", "kind", "minutes", "note"]
        widgets = {"contacted_on": DateInput()}

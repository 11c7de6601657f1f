"""Forms of the account pages, user management and privacy pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from core.models import Site
from core.scoping import Role

DIGITS_OR_CODE = _("The six digits from the app, or one of your backup codes.")


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=DIGITS_OR_CODE,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "size": 12}
        ),
    )


class SiteRoleFields(forms.Form):
    site = forms.ModelChoiceField(queryset=Site.objects.none(), label=_("site"))
    role = forms.ChoiceField(choices=Role.choices, label=_("role"))
    job_title = forms.CharField(
        label=_("job title"),
        max_length=100,
        required=False,
        help_text=_("E.g. reclasseringswerker, mentor, senior casemanager."),
    )

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        only = list(sites[:2])
        if len(only) == 1:
            self.fields["site"].initial = only[0]


class UserCreateForm(SiteRoleFields):
    username = forms.CharField(
        label=_("user name"),
        max_length=150,
        validators=[get_user_model().username_validator],
    )
    first_name = forms.CharField(label=_("first name"), max_length=150)
    last_name = forms.CharField(label=_("last name"), max_length=150)
    email = forms.EmailField(
        label=_("e-mail"),
        required=False,
        help_text=_("Only needed to send password links by e-mail."),
    )
    field_order = ["username", "first_name", "last_name", "email"]


class RoleGrantForm(SiteRoleFields):
    pass


class PasswordLinkForm(forms.Form):
    send = forms.BooleanField(
        label=_("Also send the link to the user's e-mail address"), required=False
    )


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Last name or DJI number"), max_length=100, required=False
    )
    date_of_birth = forms.DateField(
        label=_("date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class SubjectAccessForm(forms.Form):
    recipient = forms.CharField(
        label=_("handed to"),
        max_length=200,
        help_text=_("Who receives the document: the person or their representative."),
    )
    note = forms.CharField(
        label=_("note"),
        max_length=300,
        required=False,
        help_text=_("E.g. the date of the request, or how it was handed over."),
    )

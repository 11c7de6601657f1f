from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.concurrency import VERSION_FIELD, VersionedFormMixin
from core.models import NotificationSettings, Person, Site
from core.service_forms import DateInput


class PersonForm(VersionedFormMixin, forms.ModelForm):
    site = forms.ModelChoiceField(queryset=Site.objects.none(), label=_("site"))

    class Meta:
        model = Person
        fields = [
            "site",
            "first_name",
            "last_name",
            "date_of_birth",
            "gender",
            "dji_number",
            "municipality_of_origin",
            "aftercare_municipality",
        ]
        widgets = {"date_of_birth": DateInput()}

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        if sites.count() == 1:
            self.fields["site"].initial = sites.first()
        if self.instance.pk:
            del self.fields["site"]
        else:
            del self.fields[VERSION_FIELD]

    def _post_clean(self) -> None:
        """Skip model validation here: ``person_create``/``person_update`` run it
        and report a duplicate together with the matching records."""


class NotificationSettingsForm(forms.ModelForm):
    class Meta:
        model = NotificationSettings
        fields = ["daily_digest"]

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.concurrency import VERSION_FIELD, VersionedFormMixin
from core.models import NotificationSettings, Person, Site
from core.selectors import place_types_with_capacity


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)


def bound_date(form: forms.BaseForm, name: str) -> datetime.date:
    """The date the user entered in ``name``, or today before the form is
    filled in (or when the entry is no valid date). Choices that depend on
    the day, such as place types with capacity, are offered for this day."""
    if form.is_bound:
        try:
            day = form.fields[name].clean(form.data.get(form.add_prefix(name)))
        except ValidationError:
            day = None
        if isinstance(day, datetime.date):
            return day
    return timezone.localdate()


NO_CAPACITY_ON_DAY = _(
    "This place type has no realised capacity on the chosen day. The list "
    "shows the place types of that day."
)


PLACE_TYPE_DAYS = _("%(name)s (%(start)s until %(end)s)")


def _place_type_label(place_type: Any) -> str:
    """The name with the days it had realised capacity (from - until)."""
    periods = getattr(place_type, "realised", [])
    if not periods:
        return place_type.name
    start = min(p.valid_from for p in periods)
    ends = [p.valid_to for p in periods]
    end = "…" if None in ends else date_format(max(ends), "j-n-Y")
    return PLACE_TYPE_DAYS % {
        "name": place_type.name,
        "start": date_format(start, "j-n-Y"),
        "end": end,
    }


def limit_place_types(field: forms.ModelChoiceField, *, site: Any, day: Any) -> None:
    """Offer only the site's place types with realised capacity on ``day``.

    Where none had capacity that day (a site closed today, while the user
    records an earlier placement) the place types that ever had some are
    offered, each with its days, and a wrong day is refused by name.
    """
    place_types = place_types_with_capacity(site=site, day=day)
    help_text = _("Place types with realised capacity on %(day)s.")
    if not place_types.exists():
        place_types = place_types_with_capacity(site=site, day=None)
        help_text = _(
            "No place type had realised capacity on %(day)s; these had some "
            "on the days shown."
        )
    field.queryset = place_types
    field.label_from_instance = _place_type_label
    field.error_messages["invalid_choice"] = NO_CAPACITY_ON_DAY
    field.help_text = help_text % {"day": date_format(day, "j-n-Y")}
    if len(field.queryset) == 1:
        field.initial = field.queryset[0].pk


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

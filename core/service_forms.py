"""Web plumbing every app's forms and views share: a form whose rules the
service checks, the one way a service's refusal reaches a form, the one
form-then-service view, the one "may this user change it" check, and the
date input and place-type choices every app's forms use.

Services validate (``full_clean`` and their own rules) and raise
``ValidationError``; forms only parse input. ``add_service_errors`` shows
every message of a refusal: an error on a field the form has goes on that
field, anything else at the top, and what the user typed stays.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from core.concurrency import ConcurrentEditError
from core.scoping import CASE_WRITE_ROLES, site_ids_for
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


FORM_TEMPLATE = "core/object_form.html"
GET_POST = require_http_methods(["GET", "POST"])


def add_service_errors(
    form: forms.BaseForm, error: ValidationError, *, field: str | None = None
) -> None:
    """Show a service's ValidationError on the form, every message of it:
    per field where the form shows that field, otherwise on ``field`` (the
    top of the form by default; a hidden field's errors are shown nowhere).
    What the user typed stays."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            shown = name in form.fields and not form.fields[name].widget.is_hidden
            form.add_error(name if shown else field, errors)
    else:
        form.add_error(field, error)


def message_service_errors(request: HttpRequest, error: ValidationError) -> None:
    """Show a service's refusal of an action without a form (a button) as
    messages on the next page, every message of it, one each."""
    for message in error.messages:
        messages.error(request, message)


class ServiceValidatedModelForm(forms.ModelForm):
    def _post_clean(self) -> None:
        """Skip model validation here: the service runs ``full_clean`` and its
        errors are shown with ``add_service_errors``."""


def can_edit(
    user: Any, site_id: int | None, roles: Iterable[str] = CASE_WRITE_ROLES
) -> bool:
    """Whether ``user`` may change records of the site ``site_id`` (holds one
    of ``roles`` there): the one check behind every "edit" button."""
    return site_id is not None and site_id in site_ids_for(user, roles)


def service_form_view(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[dict[str, Any]], Any],
    *,
    title: str,
    back: str,
    success: str,
    context: dict[str, Any] | None = None,
    template: str = FORM_TEMPLATE,
) -> HttpResponse:
    """Validate ``form``, call ``save`` (one service) and go ``back`` (or to
    the URL ``save`` returns); on any refusal show the form again with the
    input kept and every message of the refusal."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except ConcurrentEditError as error:
            form.show_conflict(error)  # type: ignore[attr-defined]
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if success:
                messages.success(request, success)
            return redirect(result if isinstance(result, str) else back)
    return render(
        request,
        template,
        {"form": form, "title": title, "back": back, **(context or {})},
    )

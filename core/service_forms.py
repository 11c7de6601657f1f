"""Web plumbing every app's forms and views share: a form whose rules the
service checks, the one way a service's refusal reaches a form, the one
form-then-service view, and the one "may this user change it" check.

Services validate (``full_clean`` and their own rules) and raise
``ValidationError``; forms only parse input. ``add_service_errors`` shows
every message of a refusal: an error on a field the form has goes on that
field, anything else at the top, and what the user typed stays.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.concurrency import ConcurrentEditError
from core.scoping import CASE_WRITE_ROLES, site_ids_for

FORM_TEMPLATE = "core/object_form.html"
GET_POST = require_http_methods(["GET", "POST"])


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, every message of it:
    per field where the form has that field, otherwise at the top. What the
    user typed stays."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


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

"""A service's refusal reaches the user whole: every message, a field's
errors on that field. One way for every app: ``core.service_forms``."""

from __future__ import annotations

import ast
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.test import RequestFactory

from core.service_forms import add_service_errors, message_service_errors

ROOT = Path(__file__).resolve().parents[2]
LOCAL_APPS = [app for app in settings.INSTALLED_APPS if (ROOT / app).is_dir()]
# What a view or form may do with a caught ValidationError: hand it whole to
# core's mapping (``show_refusal`` of the measurement form calls it too).
HANDLERS = {"add_service_errors", "message_service_errors", "show_refusal"}


class DayForm(forms.Form):
    day = forms.DateField()
    note = forms.CharField(required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


def test_every_message_of_a_refusal_is_shown_above_the_form():
    form = DayForm({"day": "2024-01-01"})
    assert form.is_valid()
    add_service_errors(form, ValidationError(["First problem.", "Second problem."]))
    assert form.non_field_errors() == ["First problem.", "Second problem."]
    assert form.data["day"] == "2024-01-01"


def test_field_errors_go_on_their_fields_and_unknown_fields_to_the_top():
    form = DayForm({"day": "2024-01-01"})
    assert form.is_valid()
    add_service_errors(
        form,
        ValidationError(
            {
                "day": ["Not before the decision.", "Not in the future."],
                "capacity": ["No place free."],
                "version": ["Saved by someone else."],
                NON_FIELD_ERRORS: ["Already placed."],
            }
        ),
    )
    assert form.errors["day"] == ["Not before the decision.", "Not in the future."]
    assert form.non_field_errors() == [
        "No place free.",
        "Saved by someone else.",
        "Already placed.",
    ]


def test_a_refusal_without_field_can_go_on_a_chosen_field():
    form = DayForm({"day": "2024-01-01"})
    assert form.is_valid()
    add_service_errors(form, ValidationError("Not a list."), field="note")
    assert form.errors["note"] == ["Not a list."]


def test_a_refused_button_shows_every_message():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    message_service_errors(request, ValidationError(["One.", "Two."]))
    assert [str(m) for m in get_messages(request)] == ["One.", "Two."]


def _view_and_form_modules() -> list[Path]:
    """Every module named for views or forms, or inside such a package."""
    found = []
    for app in LOCAL_APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT / app).with_suffix("").parts
            if "migrations" not in parts and any(
                "views" in part or "forms" in part for part in parts
            ):
                found.append(path)
    return found


def _catches_validation_error(handler: ast.ExceptHandler) -> bool:
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(
        (isinstance(t, ast.Name) and t.id == "ValidationError")
        or (isinstance(t, ast.Attribute) and t.attr == "ValidationError")
        for t in types
    )


def _called_with(handler: ast.ExceptHandler) -> set[str]:
    """Names of the functions the handler passes the caught error to."""
    called = set()
    for node in ast.walk(handler):
        if isinstance(node, ast.Call) and any(
            isinstance(arg, ast.Name) and arg.id == handler.name for arg in node.args
        ):
            func = node.func
            called.add(func.attr if isinstance(func, ast.Attribute) else func.id)
    return called


def test_every_view_and_form_hands_a_refusal_whole_to_core():
    """Enumerates every views and forms module of every app: a caught
    ValidationError goes to core's mapping (or is raised again), and no code
    picks single messages out of it."""
    checked = 0
    for path in _view_and_form_modules():
        source = path.read_text(encoding="utf-8")
        name = path.relative_to(ROOT)
        assert ".messages[0]" not in source, name
        assert ".join(error.messages)" not in source, name
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.ExceptHandler) or node.name is None:
                continue
            if not _catches_validation_error(node):
                continue
            checked += 1
            reraised = any(isinstance(n, ast.Raise) for n in ast.walk(node))
            assert reraised or _called_with(node) & HANDLERS, (
                f"{name}:{node.lineno} maps a service error itself"
            )
    assert checked >= 10
    assert ROOT / "trajectories/views/plans.py" in _view_and_form_modules()


def test_the_measurement_form_shows_a_refusal_through_core():
    source = (ROOT / "evaluation/forms.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    (method,) = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.FunctionDef) and n.name == "show_refusal"
    ]
    assert "add_service_errors(self, error)" in ast.unparse(method)

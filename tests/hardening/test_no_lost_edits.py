"""No lost edits anywhere: every page that edits a stored record carries the
record's version, and a save based on an outdated version is refused with the
user's input kept on the page.

Every URL of the project is requested for every role (the same enumeration
as the permission matrix); any page whose form is bound to a stored record is
an edit page and is tried here, so a new edit form is covered without editing
this test.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django import forms
from django.forms import BaseForm, CheckboxInput
from django.test import Client

from core.concurrency import CONCURRENT_EDIT_MESSAGE, VERSION_FIELD, VersionedFormMixin
from core.scoping import Role
from tests.factories import SiteFactory, user_with_role
from tests.hardening.routes import Route, all_routes, url_for
from tests.world import build_world

ROLES = [Role.CASEMANAGER, Role.PROJECT_LEADER, Role.RESEARCHER, Role.FUNCTIONAL_ADMIN]
CHANGED = "Gewijzigd door de tweede gebruiker"


def _forms(response: Any) -> list[BaseForm]:
    context = response.context
    if context is None:
        return []
    found: list[BaseForm] = []
    for layer in context if isinstance(context, list) else [context]:
        for values in layer.dicts:
            for value in values.values():
                if isinstance(value, BaseForm) and all(value is not f for f in found):
                    found.append(value)
    return found


def _edits_a_stored_record(form: BaseForm) -> bool:
    instance = getattr(form, "instance", None)
    return instance is not None and instance.pk is not None


def _posted(form: BaseForm) -> dict[str, Any]:
    """What the browser posts back for ``form`` as rendered."""
    data: dict[str, Any] = {}
    for bound in form:
        value = bound.value()
        if isinstance(bound.field.widget, CheckboxInput):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        elif value is not None:
            data[bound.html_name] = value
    return data


def _changes(form: BaseForm) -> list[tuple[str, str]]:
    """(field, new value) pairs a user could type, free text first."""
    posted = _posted(form)
    texts, others = [], []
    for name, field in form.fields.items():
        if isinstance(field.widget, forms.HiddenInput) or field.disabled:
            continue
        current = posted.get(form.add_prefix(name))
        if isinstance(field, forms.ChoiceField):
            choices = [str(value) for value, _label in field.choices if value != ""]
            others += [(name, v) for v in choices if v != str(current)][:1]
        elif isinstance(field, forms.DateField):
            day = field.to_python(current) if current else None
            day = (day or datetime.date(2020, 1, 1)) + datetime.timedelta(days=1)
            others.append((name, day.isoformat()))
        elif isinstance(field, forms.CharField) and (
            field.max_length is None or field.max_length >= len(CHANGED)
        ):
            texts.append((name, CHANGED))
    return texts + others


def _edit_pages(client: Client, world: dict) -> list[tuple[Route, str, BaseForm]]:
    pages = []
    for route in all_routes():
        if not route.keywords:
            continue
        url = url_for(route, world)
        response = client.get(url)
        if response.status_code != 200:
            continue
        for form in _forms(response):
            if _edits_a_stored_record(form):
                pages.append((route, url, form))
    return pages


@pytest.fixture
def world(db):
    site = SiteFactory(code="eigen", name="KV Eigen")
    return site, build_world(site, "OWNMARK")


@pytest.mark.parametrize("role", ROLES)
def test_every_edit_page_refuses_a_stale_save_and_keeps_the_input(world, role):
    site, objects = world
    first, second = Client(), Client()
    first.force_login(user_with_role(role, site))
    second.force_login(user_with_role(role, site))
    failures = []
    pages = _edit_pages(first, objects)
    for route, url, form in pages:
        if not isinstance(form, VersionedFormMixin):
            failures.append((route.name, "form carries no version"))
            continue
        stale = second.get(url).context["form"]
        saved = first.post(url, _posted(form))
        if saved.status_code != 302:
            failures.append((route.name, "first save failed", str(saved.context)))
            continue
        outcome = _stale_save(second, url, stale)
        if outcome:
            failures.append((route.name, outcome))
    assert failures == []
    if role == Role.CASEMANAGER:
        # person, stay, plan, goal, activity and job at least
        assert len(pages) >= 6, [route.name for route, _url, _form in pages]


def _stale_save(client: Client, url: str, stale: BaseForm) -> str:
    """Post ``stale`` with one field changed; '' when the save was refused
    with the input kept, else what went wrong."""
    changes = _changes(stale)
    if not changes:
        return "no field to change"
    for name, value in changes:
        key = stale.add_prefix(name)
        response = client.post(url, {**_posted(stale), key: value})
        if response.status_code == 302:
            return f"stale save of {name} was accepted"
        if str(CONCURRENT_EDIT_MESSAGE) not in response.content.decode():
            continue  # the changed value did not validate; try another field
        refused_form = response.context["form"]
        if str(refused_form[name].value()) != value:
            return f"input of {name} was lost"
        instance = stale.instance
        stored = type(instance)._default_manager.get(pk=instance.pk)
        if str(getattr(stored, name, None)) == value:
            return f"{name} was written although refused"
        if str(refused_form[VERSION_FIELD].value()) != str(stored.version):
            return "the form is not armed to overwrite deliberately"
        return ""
    return "no change was refused as stale"

"""Bad values that used to slip past forms into the database."""

from __future__ import annotations

from core.models import Person
from tests.factories import PersonFactory

HUGE = 99999999999999999999999


def test_in_lookup_with_an_id_no_column_can_hold_matches_nothing(almelo):
    person = PersonFactory(site=almelo)

    assert list(Person.objects.filter(pk__in=[HUGE])) == []
    assert list(Person.objects.filter(pk__in=[HUGE, person.pk])) == [person]
    assert list(Person.objects.filter(pk__in=[-HUGE, str(person.pk)])) == [person]


def test_multiple_choice_with_a_huge_id_is_a_form_error(almelo):
    from django import forms

    from core.models import Site

    class SitesForm(forms.Form):
        sites = forms.ModelMultipleChoiceField(queryset=Site.objects.all())

    form = SitesForm({"sites": [str(HUGE)]})

    assert form.is_valid() is False
    assert "sites" in form.errors

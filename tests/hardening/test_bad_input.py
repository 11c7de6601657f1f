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


FAR_FUTURE = {"start": "9990-01-01", "end": "9999-12-31"}


def test_dates_near_the_end_of_the_calendar_never_break_a_page(client, almelo):
    from django.urls import reverse

    from core.scoping import Role
    from tests.factories import user_with_role

    client.force_login(user_with_role(Role.PROJECT_LEADER, almelo))
    code = almelo.code
    pages = [
        (reverse("dashboards:overview"), FAR_FUTURE),
        (reverse("dashboards:site_dashboard", args=[code]), FAR_FUTURE),
        (
            reverse("dashboards:site_cases", args=[code]),
            {"metric": "inflow", "key": "9999-12"},
        ),
        (
            reverse("dashboards:site_cases", args=[code]),
            {"metric": "outflow", "key": "0001-01"},
        ),
        (reverse("trajectories:site_occupancy", args=[code]), FAR_FUTURE),
        (reverse("intake:funnel", args=[code]), FAR_FUTURE),
    ]
    for url, params in pages:
        assert client.get(url, params).status_code == 200, (url, params)
    dashboard = client.get(
        reverse("dashboards:site_dashboard", args=[code]), FAR_FUTURE
    )
    assert "Kies een datum tussen 1900 en 2199." in dashboard.content.decode()

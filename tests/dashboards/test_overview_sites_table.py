"""The overview's table of sites: every link is the one ``reverse()`` gives,
and every number in it equals the case list it opens."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from core.models import Membership
from tests.dashboards.builders import site_with_three_stays
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2024-01-01", "end": "2024-03-31"}


def _table_links(body: str) -> list[tuple[str, str]]:
    table = body[body.index('id="site-summary"') : body.index("</table>")]
    return [
        (unescape(href), unescape(text))
        for href, text in re.findall(r'<a href="([^"]+)">([^<]*)</a>', table)
    ]


def test_each_site_row_links_its_dashboard_and_the_cases_behind_its_numbers(client):
    first, _stays = site_with_three_stays("eerste")
    second, _stays = site_with_three_stays("tweede-site")
    leader = user_with_role("project_leader", first)
    Membership.objects.create(user=leader, site=second, role="project_leader")
    client.force_login(leader)

    response = client.get(reverse("dashboards:overview"), PERIOD)

    query = response.context["period"].query()
    links = _table_links(response.content.decode())
    expected = []
    for site, summary in response.context["sites"]:
        cases = f"{reverse('dashboards:site_cases', args=[site.code])}?{query}"
        expected += [
            (
                f"{reverse('dashboards:site_dashboard', args=[site.code])}?{query}",
                site.name,
            ),
            (f"{cases}&metric=inflow", str(summary.inflow)),
            (f"{cases}&metric=outflow", str(summary.outflow)),
            (
                f"{cases}&metric=occupancy&key=2024-03-31",
                str(summary.present_at_end),
            ),
        ]
    assert links == expected
    # every number opens exactly the cases it counts
    for href, text in links:
        if "metric=" not in href:
            continue
        opened = client.get(href)
        assert opened.status_code == 200
        assert opened.context["page"].paginator.count == int(text), href

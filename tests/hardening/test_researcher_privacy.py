"""Researchers never receive a name, birth date or DJI number: not on any page,
not in any export, not behind any link.

Every URL pattern is requested (as in the permission matrix), every redirect
is followed and every link on a page is crawled, so list pages, detail pages
and exports are covered as they appear, without naming them here.
"""

from __future__ import annotations

import datetime
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.utils import dateformat, translation

from core.models import Person
from core.scoping import Role
from tests.factories import PersonFactory, SiteFactory, user_with_role
from tests.hardening.routes import all_routes, body_text, url_for
from tests.world import build_world

SKIPPED_PREFIXES = ("/accounts/logout", "/i18n/", "/admin/", "/static/", "/media/")
MAX_PAGES = 600
QUERY_VARIANTS = 3
BIRTH_DATES = [
    datetime.date(1971, 8, 23),
    datetime.date(1983, 11, 17),
    datetime.date(1990, 2, 9),
]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _identifying(person: Person) -> list[str]:
    born = person.date_of_birth
    values = [person.first_name, person.last_name, born.isoformat()]
    if person.dji_number:
        values.append(person.dji_number)
    for pattern in ("d-m-Y", "j-n-Y", "d/m/Y", "j F Y", "d.m.Y", "dmY"):
        for language in ("nl", "en"):
            with translation.override(language):
                values.append(dateformat.format(born, pattern))
    return values


@pytest.fixture
def site_with_people(db):
    site = SiteFactory(code="eigen", name="KV Eigen")
    world = build_world(site, "OWNMARK")
    for number, born in enumerate(BIRTH_DATES):
        PersonFactory(
            site=site,
            first_name=f"Geheimvoornaam{number}",
            last_name=f"Geheimachternaam{number}",
            date_of_birth=born,
            dji_number=f"V9{number}77331",
        )
    return site, world


def _crawl(client, start_urls: list[str]) -> dict[str, str]:
    """Every page reachable from ``start_urls`` on this site: url -> text."""
    seen: dict[str, str] = {}
    variants: dict[str, int] = {}
    queue = list(start_urls)
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen or url.startswith(SKIPPED_PREFIXES):
            continue
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url, {})
        assert response.status_code < 500, (url, response.status_code)
        text = body_text(response)
        seen[url] = text
        if response.status_code in (301, 302, 303):
            queue.append(urljoin(url, response["Location"]))
        elif "html" in response.get("Content-Type", ""):
            parser = _Links()
            parser.feed(text)
            for href in parser.hrefs:
                parts = urlsplit(urljoin(url, href))
                if parts.netloc not in ("", "testserver"):
                    continue
                variants[parts.path] = variants.get(parts.path, 0) + 1
                # Sort and page links repeat the same rows; a few per path do.
                if variants[parts.path] <= QUERY_VARIANTS:
                    query = f"?{parts.query}" if parts.query else ""
                    queue.append(parts.path + query)
    return seen


@pytest.mark.parametrize("all_sites", [False, True], ids=["site", "programme"])
def test_researcher_never_receives_identifying_data(
    client, site_with_people, all_sites
):
    site, world = site_with_people
    sites = [site, SiteFactory(code="ander")] if all_sites else [site]
    client.force_login(user_with_role(Role.RESEARCHER, *sites))
    secrets = {
        value: person.pseudonym
        for person in Person.objects.filter(site=site)
        for value in _identifying(person)
    }

    pages = _crawl(client, [url_for(route, world) for route in all_routes()])

    leaks = sorted(
        (url, value)
        for url, text in pages.items()
        for value in secrets
        if value in text
    )
    assert leaks == []
    # The walk did reach the researcher's pages and the people's pseudonyms.
    assert sum(1 for text in pages.values() if text) >= 5


def test_the_crawl_would_see_names_on_a_casemanagers_pages(client, site_with_people):
    """Guards the test above: the same crawl as a casemanager finds names."""
    site, world = site_with_people
    client.force_login(user_with_role(Role.CASEMANAGER, site))

    pages = _crawl(client, [url_for(route, world) for route in all_routes()])

    assert any("Geheimachternaam1" in text for text in pages.values())
    assert any("V9177331" in text for text in pages.values())

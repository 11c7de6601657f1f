"""Every page, as every role, reads Dutch: no English words, no internal codes,
no ISO dates in sentences, no report line references outside the places where
a functional administrator checks reference data against the report.

Pages are enumerated from the URLconf (with the objects of tests/world.py and
every real site of the reference data) and then from the links on those pages,
so a new page or a new link is covered without editing this test.
"""

from __future__ import annotations

import io
import re
from collections import deque
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from core.models import Site
from core.scoping import Role
from core.services import functional_admin_enable, membership_grant, membership_revoke
from tests.factories import (
    CriteriaVersionFactory,
    CriterionFactory,
    IncidentFactory,
    LocationPeriodFactory,
    SiteFactory,
    StayPhaseFactory,
    UserFactory,
)
from tests.test_permission_matrix import all_routes
from tests.visible_text import visible_text, words
from tests.world import build_world
from trajectories.models import IndividualPlan, PlanFormDefinition
from trajectories.models.plans import CONFIGURABLE_PLAN_FIELDS, RiskLevel

pytestmark = pytest.mark.django_db

MARKER = "OWNMARK"

# English words that are not also Dutch words (so "is", "in", "over", "details",
# "status", "plan", "week", "kind", "route" and the report's own "outcome" are
# not on it).
ENGLISH_WORDS = frozenset(
    """
    the and with from for this that these those not yes none
    granted revoked removed failed login logout summary
    stay stays phase phases work measurement measurements location locations
    outflow review reviews activity activities person people case cases site sites
    save edit delete cancel search show hide next previous back page pages
    date dates name names user users role roles unknown report valid until
    created updated changed added deleted imported exported rows row file files
    error errors warning required optional field fields please must should
    each every all any new old more less than only also other same here today
    month months year years days weeks since before after between total count
    number list goal goals consent consents network organisation organisations
    employer employers jobs capacity occupancy funnel stage stages step steps
    reason reasons notes note version versions criterion researcher
    leader administrator overdue due planned placed pending done closed
    low medium high
    language switch password username signature print results result history
    timeline worklist entries entry detail
    """.split()  # noqa: SIM905 - a word list reads better as text
)
RAW_CODE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
REPORT_LINE = re.compile(r"\breport\s+L\d|\(L\d{2,4}|\bL\d{3,4}(?:-\d+)?\b")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
CODE_FILTER = re.compile(r"\(code\)", re.IGNORECASE)
# A whole piece of text that is one identifier ("stay.placed_on",
# "intake.entry_route=dji_list"): a value in the admin, not a label.
IDENTIFIER = re.compile(r"[\w.=-]*[_.=][\w.=-]*")
# Django's admin/search_form.html has alt="Search" without a translation.
DJANGO_ADMIN_CONSTANTS = {"Search"}

SKIPPED_PREFIXES = ("/static/", "/media/", "/accounts/logout", "/i18n/")
ADMIN_SKIPPED = ("/logout/", "/password_change/", "/delete/", "/history/")
MAX_PAGES_PER_ROLE = 400


def _page_key(url: str) -> tuple[str, tuple[str, ...]]:
    """Pages that differ only in ids or parameter values count once."""
    parts = urlsplit(url)
    path = re.sub(r"/\d+/", "/N/", parts.path)
    return path, tuple(sorted({key for key, _ in parse_qsl(parts.query)}))


def _links(html: str) -> list[str]:
    return [
        href.replace("&amp;", "&")
        for href in re.findall(r'href="(/[^"#]*)"', html)
        if not href.startswith(SKIPPED_PREFIXES)
    ]


def _problems(html: str, *, admin: bool, admin_site: bool = False) -> list[str]:
    found = []
    checks = [(ISO_DATE, "ISO date"), (CODE_FILTER, "asks for a code")]
    if not admin_site:
        # In the Django admin a functional administrator edits the codes
        # themselves (stage codes, variable names): there they are data.
        checks.append((RAW_CODE, "code"))
    for piece in visible_text(html):
        if MARKER in piece or piece in DJANGO_ADMIN_CONSTANTS:
            continue  # data typed in by users, not interface text
        if admin_site and IDENTIFIER.fullmatch(piece):
            continue
        english = sorted({w for w in words(piece) if w.lower() in ENGLISH_WORDS})
        if english:
            found.append(f"English {english}: {piece[:120]!r}")
        for pattern, what in checks:
            if pattern.search(piece):
                found.append(f"{what}: {piece[:120]!r}")
        if REPORT_LINE.search(piece):
            found.append(f"report line reference: {piece[:120]!r}")
    if admin:
        # A functional administrator checks reference data against the
        # report: line references there are fine, but in Dutch.
        for piece in visible_text(html, keep_sources=True):
            if re.search(r"\breport\b|valid_from", piece):
                found.append(f"English source note: {piece[:120]!r}")
    return found


@pytest.fixture
def crawl_world(db):
    call_command("load_reference", stdout=io.StringIO())
    real_sites = list(Site.objects.all())
    own_site = SiteFactory(code="eigen", name="KV Eigen")
    world = build_world(own_site, MARKER)
    stay = world["_stay"]
    StayPhaseFactory(stay=stay, place_type=world["_place_type"])
    LocationPeriodFactory(stay=stay)
    IncidentFactory(stay=stay)
    # A criteria checklist with codes as the reference data has them.
    case = world["_case"]
    case.criteria_version = CriteriaVersionFactory(site=own_site)
    case.save(update_fields=["criteria_version"])
    CriterionFactory(
        version=case.criteria_version,
        code="eig_v1_in_01",
        text="Gedetineerden zijn groepsgeschikt.",
    )
    # The plan shows every field a site may configure, each with a value.
    PlanFormDefinition.objects.filter(site=own_site).update(
        fields=[{"name": name} for name in CONFIGURABLE_PLAN_FIELDS]
    )
    IndividualPlan.objects.filter(pk=world["plan_pk"]).update(
        risk_level=RiskLevel.values[0], signed_on=stay.placed_on
    )
    return own_site, real_sites, world


def _user(role: str, sites: list[Site]):
    granter = UserFactory(username="granter")
    # user names are data, not interface text: none that reads as English
    user = UserFactory(username=f"bezoeker-{list(Role.values).index(role)}")
    for site in sites:
        membership_grant(user=user, site=site, role=role, granted_by=granter)
    temporary = membership_grant(
        user=UserFactory(), site=sites[0], role=Role.RESEARCHER, granted_by=granter
    )
    membership_revoke(membership=temporary, revoked_by=granter)
    if role == Role.FUNCTIONAL_ADMIN:
        functional_admin_enable(user=user)
    return user


def _start_urls(role: str, world: dict, real_sites: list[Site]) -> list[str]:
    urls = []
    for route in all_routes():
        if route.view.kv_roles is not None and role not in route.view.kv_roles:
            continue
        kwargs = {key: world[key] for key in route.keywords}
        urls.append(reverse(route.name, kwargs=kwargs))
        if route.keywords == ["site_code"]:
            urls += [
                reverse(route.name, kwargs={"site_code": site.code})
                for site in real_sites
            ]
    if role == Role.FUNCTIONAL_ADMIN:
        urls.append(reverse("admin:index"))
    return urls


@pytest.mark.parametrize(
    "role",
    [Role.CASEMANAGER, Role.PROJECT_LEADER, Role.RESEARCHER, Role.FUNCTIONAL_ADMIN],
)
def test_every_page_reads_dutch(client, crawl_world, role):
    own_site, real_sites, world = crawl_world
    client.force_login(_user(role, [own_site, *real_sites]))
    admin = role == Role.FUNCTIONAL_ADMIN
    queue = deque(_start_urls(role, world, real_sites))
    seen: set[tuple] = set()
    failures: dict[str, list[str]] = {}
    crawled = 0
    with translation.override("nl"):
        while queue and crawled < MAX_PAGES_PER_ROLE:
            url = queue.popleft()
            key = _page_key(url)
            if key in seen:
                continue
            seen.add(key)
            response = client.get(url)
            crawled += 1
            if response.status_code != 200 or "html" not in response.get(
                "Content-Type", ""
            ):
                continue
            html = response.content.decode()
            problems = _problems(
                html, admin=admin, admin_site=url.startswith("/admin/")
            )
            if problems:
                failures[url] = problems
            for link in _links(html):
                is_admin_link = link.startswith("/admin/")
                if is_admin_link and (not admin or link.endswith(ADMIN_SKIPPED)):
                    continue
                if is_admin_link and any(part in link for part in ADMIN_SKIPPED):
                    continue
                queue.append(link)
    assert crawled > 20
    report = "\n".join(
        f"{url}\n  " + "\n  ".join(problems) for url, problems in failures.items()
    )
    assert not failures, report

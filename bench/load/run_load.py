"""Load test: simulated users against gunicorn and PostgreSQL, on loopback only.

What it does, and stops by itself:

1. creates (or reuses) the PostgreSQL database ``kvmonitor_load`` on
   127.0.0.1, migrates it and fills it with the demo data (``seed_demo``);
2. starts gunicorn with production settings (DEBUG off) on 127.0.0.1 with
   ``2 * cores + 1`` workers;
3. runs ``--users`` simulated users (default 50) for ``--duration`` seconds
   (default 120): casemanagers doing their day, project leaders looking at
   their dashboards, researchers entering measurements. Each user logs in
   once, then walks their scenario in a loop with a think time between
   requests (``--think realistic``: 3-8 s, the default; ``--think
   aggressive``: 0.5-1.5 s);
4. prints requests per second, p50/p95/p99 latency and errors, overall and
   per step, and writes them as JSON (``--output``).

Scenarios are data (``SCENARIOS`` below): a step is a path with ``{name}``
placeholders, filled from ids that earlier steps found in their pages
(``extract``); a POST step submits the form its preceding GET showed, as the
browser would. A step whose placeholder no page has offered yet is skipped,
so new pages are added by adding a line.

Usage (from the repository root):

    .venv/bin/python bench/load/run_load.py --duration 120
    .venv/bin/python bench/load/run_load.py --think aggressive
    .venv/bin/python bench/load/run_load.py --duration 45 --users 50 --reset

With ``--import-rows N`` one more casemanager (``cm-almelo``) uploads a
DJI list of N rows halfway through the run, waits for its check, confirms
it and waits until it is imported (a task-queue worker, ``qcluster``, is
started next to gunicorn for that); the figures of everybody else are then
the ones that count (issue 10: 0 errors, p95 under 300 ms), the importer's
own steps are reported apart:

    .venv/bin/python bench/load/run_load.py --skip-seed --import-rows 10000

Only loopback addresses are used, for gunicorn and for the database; the
script refuses anything else.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
DEMO_PASSWORD = "demo-kv-monitor"  # noqa: S105 - the demo's published password
# Amsterdam was never realised, so its demo users have no cases to work on.
SITES = ["almelo", "krimpen", "middelburg", "rotterdam"]
DEFAULT_DB = "postgres://kvmonitor:kvmonitor@127.0.0.1:5432/kvmonitor_load"
RUN_SECRET_KEY = secrets.token_urlsafe(50)
WORKER_NICE = 10  # as deploy/systemd/kvmonitor-worker.service


@dataclass(frozen=True)
class Step:
    name: str
    path: str
    method: str = "GET"
    extract: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    name: str
    username: str  # "{site}" is replaced by the user's site
    share: float  # fraction of the simulated users
    steps: tuple[Step, ...]


PERSON = r'href="/people/(\d+)/"'
CASEMANAGER_DAY = (
    Step(
        "worklist",
        "/trajectories/worklist/",
        extract={"plan_pk": r'"/trajectories/plans/(\d+)/"'},
    ),
    Step("intake worklist", "/intake/", extract={"case_pk": r'"/intake/cases/(\d+)/"'}),
    Step("home", "/", extract={"person_pk": PERSON}),
    Step("person list", "/people/", extract={"person_pk": PERSON}),
    Step(
        "person page",
        "/people/{person_pk}/",
        extract={
            "stay_pk": r'"/trajectories/stays/(\d+)/"',
            "case_pk": r'"/intake/cases/(\d+)/"',
        },
    ),
    Step("person edit form", "/people/{person_pk}/edit/"),
    Step("person edit save", "/people/{person_pk}/edit/", method="POST"),
    Step("intake case", "/intake/cases/{case_pk}/"),
    Step(
        "stay page",
        "/trajectories/stays/{stay_pk}/",
        extract={"plan_pk": r'"/trajectories/plans/(\d+)/"'},
    ),
    Step("plan page", "/trajectories/plans/{plan_pk}/"),
    Step("plan edit form", "/trajectories/plans/{plan_pk}/edit/"),
    Step("plan edit save", "/trajectories/plans/{plan_pk}/edit/", method="POST"),
)
PROJECT_LEADER_DASHBOARD = (
    Step("home", "/"),
    Step("dashboard overview", "/dashboards/"),
    Step("site dashboard", "/dashboards/sites/{site}/"),
    Step("site cases", "/dashboards/sites/{site}/cases/"),
    Step("intake funnel", "/intake/sites/{site}/funnel/"),
    Step("person list", "/people/"),
)
RESEARCHER_MEASUREMENTS = (
    Step(
        "measurement schedule",
        "/evaluation/sites/{site}/schedule/",
        extract={"measurement_pk": r'"/evaluation/measurements/(\d+)/"'},
    ),
    Step("measurement form", "/evaluation/measurements/{measurement_pk}/"),
    Step("measurement save", "/evaluation/measurements/{measurement_pk}/", "POST"),
)
SCENARIOS = (
    Scenario("casemanager", "cm-{site}", 0.7, CASEMANAGER_DAY),
    Scenario("project leader", "pl-{site}", 0.2, PROJECT_LEADER_DASHBOARD),
    Scenario("researcher", "onderzoek-{site}", 0.1, RESEARCHER_MEASUREMENTS),
)
EXPECTED = {200, 302}
# Seconds between two actions of one user. "realistic": people in a case
# system read a page, type and think before the next click; 3-8 s is a quick
# worker (a form or a list takes longer to read). "aggressive": the stress
# profile, every user clicks about once a second.
THINK_PROFILES = {"realistic": (3.0, 8.0), "aggressive": (0.5, 1.5)}


class _Form(HTMLParser):
    """The fields of the first POST form that posts back to its page."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._inside = False
        self._done = False
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and not self._done:
            posts_back = a.get("method", "").lower() == "post"
            self._inside = posts_back and a.get("action", "") in ("", ".")
        if tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))
        if not self._inside or not a.get("name"):
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "file"):
                return
            checkable = kind in ("checkbox", "radio")
            if checkable and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value", "on" if checkable else "")))
        elif tag == "select":
            self._select = a["name"]
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields.append((a["name"], ""))

    def handle_data(self, data: str) -> None:
        if self._textarea:
            name, value = self.fields[-1]
            self.fields[-1] = (name, value + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._inside:
            self._inside, self._done = False, True
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_fields(html: str) -> list[tuple[str, str]]:
    parser = _Form()
    parser.feed(html)
    return parser.fields


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    skipped: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def record(self, step: str, status: str, seconds: float) -> None:
        self.latencies[step].append(seconds * 1000)
        self.statuses[step][status] += 1


class User:
    def __init__(self, scenario: Scenario, site: str, base: str, think: tuple) -> None:
        self.scenario = scenario
        self.site = site
        self.username = scenario.username.format(site=site)
        self.client = httpx.AsyncClient(
            base_url=base, timeout=30, follow_redirects=False
        )
        self.values: dict[str, list[str]] = {"site": [site]}
        self.chosen: dict[str, str] = {}
        self.last_html = ""
        self.think = think

    async def login(self) -> None:
        page = await self.client.get("/accounts/login/")
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        token = found.group(1) if found else ""
        response = await self.client.post(
            "/accounts/login/",
            data={
                "csrfmiddlewaretoken": token,
                "username": self.username,
                "password": DEMO_PASSWORD,
            },
        )
        if response.status_code != 302:
            raise RuntimeError(f"login of {self.username}: {response.status_code}")

    def _path(self, step: Step) -> str | None:
        names = re.findall(r"{(\w+)}", step.path)
        for name in names:
            if name not in self.chosen:
                options = self.values.get(name)
                if not options:
                    return None
                self.chosen[name] = random.choice(options)
        return step.path.format(**{n: self.chosen[n] for n in names})

    async def run_step(self, step: Step, results: Results) -> None:
        path = self._path(step)
        if path is None:
            results.skipped[step.name] += 1
            return
        started = time.perf_counter()
        try:
            if step.method == "POST":
                response = await self.client.post(
                    path,
                    data=dict(form_fields(self.last_html)),
                    headers={"Referer": str(self.client.base_url.join(path))},
                )
            else:
                response = await self.client.get(path)
            status = str(response.status_code)
            if step.method == "POST" and status == "200":
                # Shown again instead of saved: an edit conflict with another
                # user (core.concurrency), or a validation error.
                conflict = 'id="concurrent-edit"' in response.text
                status += " conflict" if conflict else " invalid"
        except httpx.HTTPError as error:
            status = type(error).__name__
            response = None
        results.record(step.name, status, time.perf_counter() - started)
        if response is None:
            return
        self.last_html = response.text
        for name, pattern in step.extract.items():
            found = sorted(set(re.findall(pattern, response.text)))
            if found:
                self.values[name] = found
                self.chosen.pop(name, None)

    async def loop(self, deadline: float, results: Results) -> None:
        # People do not all click at the same second after logging in.
        await asyncio.sleep(random.uniform(0, self.think[1]))
        while time.monotonic() < deadline:
            # A new round picks new people, cases and plans.
            self.chosen = {}
            for step in self.scenario.steps:
                if time.monotonic() >= deadline:
                    return
                await self.run_step(step, results)
                await asyncio.sleep(random.uniform(*self.think))


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def summarise(results: Results, seconds: float) -> dict[str, Any]:
    every = [v for values in results.latencies.values() for v in values]
    errors = {
        step: {s: n for s, n in statuses.items() if not s[:3].isdigit() or s >= "500"}
        for step, statuses in results.statuses.items()
    }
    unexpected = {
        step: {
            s: n
            for s, n in statuses.items()
            if s[:3].isdigit() and s < "500" and int(s[:3]) not in EXPECTED
        }
        for step, statuses in results.statuses.items()
    }
    return {
        "duration_s": round(seconds, 1),
        "requests": len(every),
        "requests_per_s": round(len(every) / seconds, 1) if seconds else 0,
        "p50_ms": round(percentile(every, 0.50), 1),
        "p95_ms": round(percentile(every, 0.95), 1),
        "p99_ms": round(percentile(every, 0.99), 1),
        "max_ms": round(max(every, default=0), 1),
        "errors": sum(n for e in errors.values() for n in e.values()),
        "unexpected_4xx": sum(n for u in unexpected.values() for n in u.values()),
        "steps": {
            step: {
                "requests": len(values),
                "p50_ms": round(percentile(values, 0.50), 1),
                "p95_ms": round(percentile(values, 0.95), 1),
                "p99_ms": round(percentile(values, 0.99), 1),
                "statuses": dict(results.statuses[step]),
            }
            for step, values in sorted(results.latencies.items())
        },
        "skipped_steps": dict(results.skipped),
    }


def _require_loopback(host: str, what: str) -> None:
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host.strip("[]")).is_loopback:
            return
    except ValueError:
        pass
    sys.exit(f"{what} must be on a loopback address, not {host!r}")


def _environment(database_url: str) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DEBUG", "SECRET", "SECURE"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="kvmonitor.settings",
        DATABASE_URL=database_url,
        # one key for the run: gunicorn and the queue worker sign and check
        # the same task messages
        SECRET_KEY=RUN_SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # Plain HTTP on loopback: no TLS redirect, cookies without Secure.
        SECURE_SSL_REDIRECT="False",
        SESSION_COOKIE_SECURE="False",
        CSRF_COOKIE_SECURE="False",
        STATICFILES_STORAGE="django.contrib.staticfiles.storage.StaticFilesStorage",
        CONN_MAX_AGE="60",
        LOG_LEVEL="ERROR",
        # The simulated users log in with a password: the second factor is a
        # login step, not what the load test measures.
        KV_TWO_FACTOR_EXEMPT_ROLES=(
            "casemanager,project_leader,researcher,functional_admin,superuser"
        ),
        # collectstatic is not needed: the simulated users fetch no assets.
        PYTHONWARNINGS="ignore:No directory at",
    )
    return environment


def prepare_database(database_url: str, reset: bool) -> None:
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        if reset:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name))
            )
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()
    environment = _environment(database_url)
    for command in (["migrate", "-v0"], ["seed_demo"]):
        subprocess.run(  # noqa: S603
            [PYTHON, "manage.py", *command],
            cwd=ROOT,
            env=environment,
            check=True,
            stdout=subprocess.DEVNULL,
        )


def _free_port(port: int) -> int:
    """``port`` if nothing listens there (0: any free one); else exit."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            sys.exit(f"port {port} on 127.0.0.1 is in use; pick another with --port")
        return probe.getsockname()[1]


def start_gunicorn(database_url: str, port: int, workers: int) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603
        [
            GUNICORN,
            "kvmonitor.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=_environment(database_url),
        start_new_session=True,
    )
    for _ in range(100):
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/accounts/login/").status_code == 200:
                return process
        if process.poll() is not None:
            sys.exit("gunicorn did not start")
        time.sleep(0.2)
    process.terminate()
    sys.exit("gunicorn did not answer")


IMPORT_DONE = {"preview", "refused", "applied"}


def _status(html: str) -> str:
    found = re.search(r'id="import-status" data-status="(\w+)"', html)
    return found.group(1) if found else ""


async def _wait_for(
    client: httpx.AsyncClient, url: str, wanted: set[str], timeout: float
) -> str:
    """Poll the import page (as its refresh does) until its status is wanted."""
    deadline = time.monotonic() + timeout
    html = ""
    while time.monotonic() < deadline:
        html = (await client.get(url)).text
        if _status(html) in wanted:
            return html
        await asyncio.sleep(1.0)
    raise RuntimeError(f"import at {url} still {_status(html)!r} after {timeout} s")


async def import_mid_run(base: str, rows: int, delay: float, results: Results) -> None:
    """One casemanager imports a DJI list of ``rows`` rows after ``delay`` s."""
    sys.path.insert(0, str(ROOT))
    from bench.import_lists import list_csv

    # other people on every run, so the list opens as many cases each time
    content = list_csv(rows, start=random.randrange(10**8))
    await asyncio.sleep(delay)
    client = httpx.AsyncClient(base_url=base, timeout=600, follow_redirects=False)
    user = User(SCENARIOS[0], "almelo", base, (0, 0))
    user.client = client
    await user.login()
    form = (await client.get("/intake/imports/new/")).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    select = form[form.index('name="entry_route"') :]
    select = select[: select.index("</select>")]
    routes = re.findall(r'<option value="(\d+)"[^>]*>([^<]*Almelo[^<]*)<', select)
    started = time.perf_counter()
    response = await client.post(
        "/intake/imports/new/",
        data={
            "csrfmiddlewaretoken": token,
            "site": "almelo",
            "kind": "dji_list",
            "entry_route": routes[-1][0],
            "list_date": time.strftime("%Y-%m-%d"),
        },
        files={"file": ("lijst.csv", content, "text/csv")},
        headers={"Referer": f"{base}/intake/imports/new/"},
    )
    results.record(
        "import: upload", str(response.status_code), time.perf_counter() - started
    )
    url = response.headers.get("location", "")
    if response.status_code != 302 or not url:
        raise RuntimeError(f"upload of the list answered {response.status_code}")
    page = await _wait_for(client, url, IMPORT_DONE, 600)
    results.record("import: checked", _status(page), time.perf_counter() - started)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    started = time.perf_counter()
    response = await client.post(
        url.rstrip("/") + "/apply/",
        data={"csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}{url}"},
    )
    results.record(
        "import: confirm", str(response.status_code), time.perf_counter() - started
    )
    page = await _wait_for(client, url, {"applied", "refused"}, 600)
    results.record("import: imported", _status(page), time.perf_counter() - started)
    await client.aclose()


def start_worker(database_url: str) -> subprocess.Popen:
    """A task-queue worker (``manage.py qcluster``) for the list import, at
    the CPU priority the deployment gives it (``Nice=10`` in
    ``deploy/systemd/kvmonitor-worker.service``)."""
    return subprocess.Popen(  # noqa: S603
        [PYTHON, "manage.py", "qcluster"],
        cwd=ROOT,
        env=_environment(database_url),
        start_new_session=True,
        preexec_fn=lambda: os.nice(WORKER_NICE),
        stdout=subprocess.DEVNULL,
    )


def _users(count: int, base: str, think: tuple) -> list[User]:
    users = []
    for scenario in SCENARIOS:
        for _ in range(max(1, round(count * scenario.share))):
            users.append(User(scenario, SITES[len(users) % len(SITES)], base, think))
    return users[:count]


async def run(args: argparse.Namespace, base: str) -> dict[str, Any]:
    users = _users(args.users, base, (args.think_min, args.think_max))
    # Logins hash a password each: no more at once than there are workers,
    # so that on a busy machine none waits past the client's timeout.
    gate = asyncio.Semaphore(args.workers)

    async def login(user: User) -> None:
        async with gate:
            await user.login()

    await asyncio.gather(*(login(user) for user in users))
    results = Results()
    importer = Results()
    started = time.monotonic()
    deadline = started + args.duration
    work = [user.loop(deadline, results) for user in users]
    if args.import_rows:
        work.append(import_mid_run(base, args.import_rows, args.duration / 2, importer))
    await asyncio.wait_for(asyncio.gather(*work), timeout=args.duration + 900)
    elapsed = time.monotonic() - started
    await asyncio.gather(*(user.client.aclose() for user in users))
    summary = summarise(results, elapsed)
    summary["users"] = {s.name: sum(u.scenario is s for u in users) for s in SCENARIOS}
    if args.import_rows:
        summary["import"] = {
            "rows": args.import_rows,
            "steps": {
                step: {"seconds": round(values[0] / 1000, 1), "status": status}
                for step, values in importer.latencies.items()
                for status in importer.statuses[step]
            },
        }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=120.0, help="seconds")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument(
        "--think",
        choices=sorted(THINK_PROFILES),
        default="realistic",
        help="think-time profile: realistic 3-8 s, aggressive 0.5-1.5 s",
    )
    parser.add_argument("--think-min", type=float, default=None, help="seconds")
    parser.add_argument("--think-max", type=float, default=None, help="seconds")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--database-url", default=DEFAULT_DB)
    parser.add_argument("--reset", action="store_true", help="recreate the database")
    parser.add_argument("--skip-seed", action="store_true")
    parser.add_argument("--output", type=Path, default=None, help="JSON file")
    parser.add_argument(
        "--import-rows",
        type=int,
        default=0,
        help="one casemanager imports a DJI list of this many rows halfway",
    )
    args = parser.parse_args()
    low, high = THINK_PROFILES[args.think]
    args.think_min = low if args.think_min is None else args.think_min
    args.think_max = high if args.think_max is None else args.think_max
    if not 0 <= args.think_min <= args.think_max:
        sys.exit("--think-min must be between 0 and --think-max")
    if not 0 < args.duration <= 3600:
        sys.exit("--duration must be between 0 and 3600 seconds")
    database = urlsplit(args.database_url)
    _require_loopback(database.hostname or "", "the database")
    _require_loopback("127.0.0.1", "gunicorn")
    # Hard stop even if something hangs: the test must end by itself.
    signal.alarm(int(args.duration) + 900)

    if not args.skip_seed:
        print("preparing the database (migrate, seed_demo) ...", flush=True)
        prepare_database(args.database_url, args.reset)
    port = _free_port(args.port)
    print(f"starting gunicorn with {args.workers} workers ...", flush=True)
    server = start_gunicorn(args.database_url, port, args.workers)
    worker = start_worker(args.database_url) if args.import_rows else None
    try:
        print(
            f"running {args.users} users for {args.duration:.0f} s, think time "
            f"{args.think_min}-{args.think_max} s ...",
            flush=True,
        )
        summary = asyncio.run(run(args, f"http://127.0.0.1:{port}"))
    finally:
        for process in (server, worker):
            if process is None:
                continue
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
    summary.update(
        workers=args.workers,
        cores=os.cpu_count(),
        think=args.think,
        think_s=[args.think_min, args.think_max],
    )
    if args.output:
        args.output.write_text(json.dumps(summary, indent=1))
    print(
        f"\n{summary['requests']} requests in {summary['duration_s']} s: "
        f"{summary['requests_per_s']} req/s, p50 {summary['p50_ms']} ms, "
        f"p95 {summary['p95_ms']} ms, p99 {summary['p99_ms']} ms, "
        f"errors {summary['errors']}, unexpected 4xx {summary['unexpected_4xx']}"
    )
    width = max(len(step) for step in summary["steps"])
    for step, figures in summary["steps"].items():
        print(
            f"  {step:<{width}} {figures['requests']:>6}  p50 {figures['p50_ms']:>7} "
            f" p95 {figures['p95_ms']:>7}  p99 {figures['p99_ms']:>7}  "
            f"{figures['statuses']}"
        )
    if "import" in summary:
        print(f"  import of {args.import_rows} rows (not in the figures above):")
        for step, figures in summary["import"]["steps"].items():
            print(f"    {step}: {figures['status']} after {figures['seconds']} s")
    if summary["skipped_steps"]:
        print(f"  skipped (no id offered by earlier pages): {summary['skipped_steps']}")
    if args.output:
        print(f"written to {args.output}")


if __name__ == "__main__":
    main()

"""The benchmark of issue 16 §7 (`onestop bench`): each list, detail, search and export page's
p50/p95 over HTTP against a real server, beside its raw-SQL twin measured in the same run.

Two halves, because a page's time and its queries' time are measured in different places:

- **over HTTP** — the page as a user gets it: a logged-in session against the server at
  ``--url`` (or a gunicorn this command starts, ``--serve``), ``runs`` requests per page after
  one warm-up, wall time from the request to the last byte;
- **the raw-SQL twin** — in this process, on the same database: the page is rendered once with
  Django's test client while every query it runs is recorded (SQL and parameters, through
  ``connection.execute_wrapper``); then those same statements are run straight on a cursor,
  fetching every row, ``runs`` times. The page cannot be faster than its own queries, so the
  ratio page / SQL says how much the application adds on top of the database.

The pages are found on the data the generator made (``onestop generate``): the engagement and the
project with the most children, a client with engagements, a search word taken from a real title.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from onestop.accounts.models import User
from onestop.engagements.models import Engagement
from onestop.projects.models import Project

SERVER_WARMUP = 12  # requests before the first measurement (several per gunicorn worker)
MARK_START = "<!-- bench:start -->"
MARK_END = "<!-- bench:end -->"


@dataclass
class Page:
    name: str
    path: str
    kind: str  # list, detail, search, export, api
    times: list[float] = field(default_factory=list)  # seconds, over HTTP
    sql_times: list[float] = field(default_factory=list)  # seconds, the recorded queries run raw
    queries: int = 0
    size: int = 0  # bytes of the answer
    status: int = 0

    @staticmethod
    def _pct(values: list[float], pct: float) -> float:
        if not values:
            return 0.0
        ordered = sorted(values)
        index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
        return ordered[index] * 1000

    @property
    def p50(self) -> float:
        return self._pct(self.times, 50)

    @property
    def p95(self) -> float:
        return self._pct(self.times, 95)

    @property
    def sql_p50(self) -> float:
        return self._pct(self.sql_times, 50)

    @property
    def ratio(self) -> float:
        return self.p50 / self.sql_p50 if self.sql_p50 else 0.0


def pages_to_measure() -> list[Page]:
    """The pages of issue 16's table, found on the data in the database."""
    pages = [
        Page("engagement list", reverse("engagements:engagement_list"), "list"),
        Page("project list", reverse("projects:project_list"), "list"),
        Page("inspection list", reverse("quality:inspection_list"), "list"),
        Page("contract list", reverse("contracts:contract_list"), "list"),
        Page("task list", reverse("projects:task_list"), "list"),
        Page("engagement board", reverse("engagements:engagement_board"), "list"),
        Page("API: engagements", reverse("api:engagement-list"), "api"),
    ]
    title = Engagement.objects.order_by("pk").values_list("title", flat=True).first() or ""
    word = next(iter(re.findall(r"[\u4e00-\u9fff]{2}", title)), "") or title[:4]
    if word:
        query = urllib.parse.urlencode({"q": word})
        pages.append(Page(f"engagement list, search 「{word}」", f"{pages[0].path}?{query}", "search"))
        pages.append(Page(f"global search 「{word}」", f"{reverse('search')}?{query}", "search"))
    # The project with the most tasks (the generator makes a few heavy ones) and its engagement:
    # the detail pages with the most children to show.
    heavy = (
        Project.objects.annotate(n=Count("tasks")).order_by("-n", "pk").select_related("engagement").first()
    )
    if heavy is not None:
        pages.append(Page("engagement page (most children)", heavy.engagement.get_absolute_url(), "detail"))
        pages.append(Page("project page (most tasks)", heavy.get_absolute_url(), "detail"))
    client = Engagement.objects.values_list("client_id", flat=True).order_by("pk").first()
    if client is not None:
        export = urllib.parse.urlencode({"client": client, "export": "csv"})
        pages.append(Page("engagement list of one client, CSV", f"{pages[0].path}?{export}", "export"))
    return pages


def record_queries(user: User, page: Page) -> list[tuple[str, Any]]:
    """Render ``page`` once in this process as ``user`` and return the statements it ran."""
    recorded: list[tuple[str, Any]] = []

    def wrapper(execute, sql, params, many, context):
        recorded.append((sql, params))
        return execute(sql, params, many, context)

    client = Client()
    client.force_login(user)
    with connection.execute_wrapper(wrapper):
        response = client.get(page.path, HTTP_HOST="localhost")
        if getattr(response, "streaming", False):
            b"".join(getattr(response, "streaming_content"))  # noqa: B009 — only streaming answers have it
    # The session and log-in bookkeeping of the test client is not the page's work.
    return [(sql, params) for sql, params in recorded if "django_session" not in sql]


def time_queries(statements: list[tuple[str, Any]]) -> float:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql, params in statements:
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue  # writes (a list export's audit row) are not part of the floor
            cursor.execute(sql, params)
            cursor.fetchall()
    return time.perf_counter() - started


class Session:
    """A logged-in browser session over HTTP (standard library only)."""

    def __init__(self, base: str, username: str, password: str):
        if urllib.parse.urlsplit(base).scheme not in ("http", "https"):
            raise RuntimeError(f"Not an http(s) address: {base}")
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        form = self.get("/login/")[1].decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
        if token is None:
            raise RuntimeError("The log-in page has no CSRF token; is the URL a OneStop server?")
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password}
        ).encode()
        request = urllib.request.Request(  # noqa: S310 — http(s) only, checked above
            self.base + "/login/", data=data, headers={"Referer": self.base + "/login/"}
        )
        with self.opener.open(request) as answer:
            if "/login/" in answer.geturl():
                raise RuntimeError(f"Could not log in as {username}.")

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with self.opener.open(self.base + path, timeout=120) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()


def measure(base: str, username: str, password: str, runs: int, log=print) -> list[Page]:
    user = User.objects.get(username=username)
    pages = pages_to_measure()
    session = Session(base, username, password)
    # Every worker of the server answers a few requests first: a worker's first request loads the
    # templates and catalogues, which would otherwise land in the first page's p95.
    for _ in range(SERVER_WARMUP):
        session.get(pages[0].path)
    for page in pages:
        statements = record_queries(user, page)
        page.queries = len(statements)
        time_queries(statements)  # warm the database's cache like the page's warm-up
        page.sql_times = [time_queries(statements) for _ in range(runs)]
        page.status, body = session.get(page.path)  # warm-up
        page.size = len(body)
        for _ in range(runs):
            started = time.perf_counter()
            session.get(page.path)
            page.times.append(time.perf_counter() - started)
        log(
            f"{page.name}: p50 {page.p50:.0f} ms, p95 {page.p95:.0f} ms, "
            f"SQL {page.sql_p50:.0f} ms ({page.queries} queries), ×{page.ratio:.1f}"
        )
    return pages


def table(pages: list[Page], *, database: str, engagements: int, runs: int) -> str:
    lines = [
        f"Database: {database}, {engagements:,} engagements, {runs} requests per page after a warm-up.",
        "",
        "| page | status | p50 ms | p95 ms | raw SQL p50 ms | queries | × SQL | KB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for page in pages:
        lines.append(
            f"| {page.name} | {page.status} | {page.p50:.0f} | {page.p95:.0f} | {page.sql_p50:.0f} | "
            f"{page.queries} | {page.ratio:.1f} | {page.size / 1024:.0f} |"
        )
    return "\n".join(lines)


def write_into(doc: Path, text: str, *, section: str) -> None:
    """Put ``text`` into ``doc`` between the benchmark marks of ``section`` (added at the end the
    first time), so each database's table is replaced by its next run and the prose stays."""
    start, end = f"{MARK_START[:-4]} {section} -->", f"{MARK_END[:-4]} {section} -->"
    content = doc.read_text(encoding="utf-8") if doc.exists() else ""
    block = f"{start}\n{text}\n{end}"
    # A mark counts only on a line of its own: the prose may name the marks (in backticks).
    found = re.search(rf"^{re.escape(start)}$.*?^{re.escape(end)}$", content, flags=re.DOTALL | re.MULTILINE)
    if found:
        content = content[: found.start()] + block + content[found.end() :]
    else:
        content = content.rstrip("\n") + "\n\n" + block + "\n"
    doc.write_text(content, encoding="utf-8")


def database_label() -> str:
    major, minor = connection.get_database_version()[:2]  # e.g. (3, 40) or (15, 8)
    name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(connection.vendor, connection.vendor)
    return f"{name} {major}.{minor}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving this installation (the production server of the README), started for the
    run and stopped after it."""

    def __init__(self, workers: int):
        self.port = free_port()
        gunicorn = shutil.which("gunicorn") or str(Path(sys.executable).with_name("gunicorn"))
        self.process = subprocess.Popen(  # noqa: S603 — our own interpreter's gunicorn, fixed arguments
            [
                gunicorn,
                "onestop.wsgi",
                "-b",
                f"127.0.0.1:{self.port}",
                "-w",
                str(workers),
                "--timeout",
                "120",
            ],
            env={**os.environ},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                errors = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"gunicorn stopped: {errors[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2):  # noqa: S310 — our own server
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not answer /healthz within a minute.")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()

"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Run with ``.venv/bin/pytest -m browser -n 2`` (each worker has its own live server and database). The main suite runs
with ``-p no:playwright -m "not browser"``; then these tests are deselected (and, if
selected anyway, skipped with a reason instead of failing on a missing fixture).

Playwright never downloads a browser here: it launches the Chromium named by
``$CHROMIUM`` (default ``/usr/bin/chromium``).
"""

from __future__ import annotations

import os
import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by
# fixtures in that same thread are still ordinary synchronous calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SCREENSHOTS = REPO / "artifacts" / "screenshots"
DOC_SCREENSHOTS = REPO / "docs" / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Every test in this folder is a browser test (runs before ``-m`` selects)."""
    has_playwright = config.pluginmanager.has_plugin("playwright")
    for item in items:
        if HERE not in Path(str(item.path)).resolve().parents:
            continue
        item.add_marker(pytest.mark.browser)
        if not has_playwright:
            item.add_marker(pytest.mark.skip(reason="pytest-playwright is disabled (-p no:playwright)"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": VIEWPORT, "locale": "zh-TW", "timezone_id": "Asia/Shanghai"}


def _copy_sqlite(source, target) -> None:
    """A consistent copy of a whole SQLite database (SQLite's online backup)."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


@pytest.fixture(scope="session")
def demo_snapshot(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo loaded once per worker and kept as a copy of the SQLite test database.

    Loading the demo runs the whole company's history through the services (about fifteen
    seconds); restoring the copy takes a fraction of one. On PostgreSQL there is no copy and
    each test loads the demo itself."""
    from django.db import connection

    from onestop.core.demo import load_demo_data

    if connection.vendor != "sqlite":
        yield None
        return
    folder = tmp_path_factory.mktemp("demo-snapshot")
    pristine, loaded = folder / "pristine.sqlite3", folder / "demo.sqlite3"
    with django_db_blocker.unblock():
        database = connection.settings_dict["NAME"]
        connection.close()
        _copy_sqlite(database, pristine)
        load_demo_data()
        connection.close()
        _copy_sqlite(database, loaded)
        _copy_sqlite(pristine, database)  # the tests without the demo start from the empty database
    yield loaded


@pytest.fixture
def demo(django_db_serialized_rollback, transactional_db, live_server, demo_snapshot):
    """The demo company (staff, departments, client organisations) and its engagements at every
    stage, in the live server's database.

    The live server needs real commits, so each test's database is flushed afterwards;
    serialized rollback puts back what the data migrations created (the role groups)."""
    from django.db import connection

    from onestop.accounts.demo import DEMO_PASSWORD
    from onestop.core.demo import load_demo_data

    if demo_snapshot is None:
        load_demo_data()
    else:
        connection.close()  # no connection of this thread may hold the old pages
        _copy_sqlite(demo_snapshot, connection.settings_dict["NAME"])
    return DEMO_PASSWORD


@pytest.fixture
def screenshot():
    """``screenshot(page, "name")`` saves artifacts/screenshots/name.png (full page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, *, full_page: bool = True, docs: bool = False) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        if docs:
            DOC_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(DOC_SCREENSHOTS / f"{name}.png"), full_page=False)
        return path

    return take


@pytest.fixture
def console_errors(page):
    """Console errors and failed page scripts, collected while the test runs."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.fixture
def login(page, live_server, demo):
    """``login("cs.lin")`` logs in through the real login form and lands on My work."""

    page.set_default_timeout(10_000)

    def log_in(username: str, password: str = demo):
        page.goto(f"{live_server.url}/login/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(password)
        page.locator("form:has(#id_username) button[type=submit]").click()
        page.wait_for_url(re.compile(r"/$"))
        return page

    return log_in

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


@pytest.fixture
def demo(django_db_serialized_rollback, transactional_db, live_server):
    """The demo company (staff, departments, client organisations) in the live server's database.

    The live server needs real commits, so each test's database is flushed afterwards;
    serialized rollback puts back what the data migrations created (the role groups)."""
    from onestop.accounts.demo import DEMO_PASSWORD
    from onestop.core.demo import load_demo_data

    load_demo_data()
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

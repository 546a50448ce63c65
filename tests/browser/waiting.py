"""Waiting for a condition inside the page.

Playwright's ``page.wait_for_function`` re-evaluates its expression with ``eval`` from a
requestAnimationFrame callback. Our pages send ``Content-Security-Policy: script-src 'self'``,
which forbids ``eval``, so the wait only worked when the condition already held at the first
check (that check runs inside the DevTools evaluation, which the policy does not govern) and
failed whenever the page was slower than the test. ``page.evaluate`` always runs through
DevTools, so polling it from here keeps the policy on and the wait honest.
"""

import time

from playwright.sync_api import Page


def wait_until(page: Page, expression: str, timeout: float = 10.0) -> None:
    """Poll ``expression`` in the page until it is truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout:.0f} s: {expression}")
        page.wait_for_timeout(100)

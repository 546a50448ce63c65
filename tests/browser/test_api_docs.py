"""The API documentation page: Swagger UI served from local files under a strict CSP."""

from __future__ import annotations

from playwright.sync_api import expect


def test_the_api_documentation_renders_swagger_ui_from_local_files(
    login, live_server, console_errors, screenshot
):
    """X-3, G-1: /api/docs/ shows the OpenAPI operations with no CSP violation and no request off the server."""
    outside: list[str] = []
    page = login("admin")
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not request.url.startswith(live_server.url) and not request.url.startswith("data:")
            else None
        ),
    )
    console_errors.clear()

    page.goto(f"{live_server.url}/api/docs/")
    # The first request for the schema builds it (seconds of CPU, then cached): wait for it.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("OneStop API", timeout=60_000)
    # Resources start folded; opening one shows its operations.
    tag = page.locator(".swagger-ui .opblock-tag", has_text="client-organizations").first
    expect(tag).to_be_visible()
    tag.click()
    expect(
        page.locator(".swagger-ui .opblock-summary-path", has_text="/api/client-organizations/").first
    ).to_be_visible()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".os-api-bar a.os-api-bar-back")).to_have_attribute("href", "/")

    assert outside == [], f"requests left the server: {outside}"
    csp = [error for error in console_errors if "Content Security Policy" in error or "Refused to" in error]
    assert csp == [], f"CSP blocked part of the page: {csp}"
    assert console_errors == [], f"console errors: {console_errors}"
    screenshot(page, "api-docs", full_page=False)

"""Signing in the browser (issue 11 §5): the button opens the signing page, which shows the
text to be signed; the signer confirms with their password there."""

from onestop.accounts.demo import DEMO_PASSWORD


def sign(page, button, password: str = DEMO_PASSWORD) -> None:
    """Click ``button`` (a form card's signing button, or the settlement's approve button), check
    the signing page shows the text and its hash, and confirm with ``password``."""
    button.click()
    form = page.locator("#sign-form")
    assert page.locator("#content-to-sign pre").inner_text().strip()
    assert len(page.locator("#sha256-to-sign").inner_text().strip()) == 64
    form.locator("input[name=password]").fill(password)
    form.locator("#sign-button").click()

"""What the browser journeys share: logging in through the real login form."""

from __future__ import annotations

from shuangfang.orgs.tests.factories import PASSWORD


def log_in(page, base: str, username: str, password: str = PASSWORD, *, wait: bool = True) -> None:
    """Log in on ``page`` at ``base`` as ``username``; ``wait``: until the home page greets them
    (off for journeys that expect the login to fail or to lead elsewhere, e.g. a forced change)."""
    page.goto(f"{base}/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("#login-form button[type=submit]")
    if wait:
        page.wait_for_selector("h1.greeting")

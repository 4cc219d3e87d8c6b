"""Browser journeys: Playwright (Python) driving Debian's /usr/bin/chromium against the live server.

Without Chromium the journeys are skipped, except where REQUIRE_BROWSER=1 (CI), where they fail.
Screenshots go to var/screenshots/.

Every browser context the journeys open reports Content-Security-Policy violations (the page's
``securitypolicyviolation`` events and Chromium's own "Refused to …" console messages); a journey
that caused one fails at its end (``_no_csp_violation``), whichever page it was on. Hence
``page.wait_for_function`` takes a function (``"() => …"``): an expression string is polled with
eval in the page, which the policy refuses.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the Django test database is still used
# synchronously from it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
# Runs in every page before its own scripts (init scripts are not subject to the page's policy).
CSP_WATCH = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.effectiveDirective + " blocked " + (e.blockedURI || "inline") +
                " at " + e.sourceFile + ":" + e.lineNumber + " on " + location.pathname);
});
"""
CSP_VIOLATIONS: list[str] = []


def _csp_console(message) -> None:
    text = message.text
    if message.type == "error" and ("CSP violation" in text or "Content Security Policy" in text):
        CSP_VIOLATIONS.append(text)


PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM} and REQUIRE_BROWSER=1")
        pytest.skip("Chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        open_context = b.new_context

        def new_context(**kwargs):
            ctx = open_context(**kwargs)
            ctx.add_init_script(CSP_WATCH)
            ctx.on("console", _csp_console)
            return ctx

        b.new_context = new_context  # type: ignore[method-assign]
        yield b
        b.close()


@pytest.fixture(autouse=True)
def _no_csp_violation():
    CSP_VIOLATIONS.clear()
    yield
    found, CSP_VIOLATIONS[:] = list(CSP_VIOLATIONS), []
    assert found == [], "the browser reported Content-Security-Policy violations"


@pytest.fixture
def phone(browser):
    ctx = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = ctx.new_page()
    yield page
    ctx.close()


@pytest.fixture
def desktop(browser):
    ctx = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = ctx.new_page()
    yield page
    ctx.close()


@pytest.fixture
def shot():
    SHOTS.mkdir(parents=True, exist_ok=True)

    def _shot(page, name: str) -> Path:
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


@pytest.fixture
def browser_errors():
    """Collects console errors and failed requests of a page: ``watch(page)`` then assert empty."""
    errors: list[str] = []

    def watch(page):
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        return errors

    return watch

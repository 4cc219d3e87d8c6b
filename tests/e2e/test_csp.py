"""The policy is on in the browser, and the journeys' violation watch (conftest) sees a breach: an
inline script put into a page is refused and reported."""

from __future__ import annotations

import pytest

from . import conftest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_browser_refuses_an_inline_script_and_the_watch_reports_it(live_server, desktop):
    desktop.goto(f"{live_server.url}/login/")
    desktop.wait_for_selector("#login-form")
    desktop.evaluate(
        """() => { document.addEventListener("securitypolicyviolation", () => { window.__seen = true; });
                   const s = document.createElement("script");
                   s.textContent = "window.__inlineRan = true"; document.body.appendChild(s); }"""
    )
    desktop.wait_for_function("() => window.__seen === true", timeout=10_000)
    assert desktop.evaluate("window.__inlineRan === undefined") is True
    assert desktop.evaluate("typeof htmx") == "object"  # the page's own scripts did load
    found = [v for v in conftest.CSP_VIOLATIONS if "script-src" in v]
    conftest.CSP_VIOLATIONS.clear()  # expected here; any other journey fails on one
    assert found, "no violation reported"

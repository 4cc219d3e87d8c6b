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


def test_the_api_documentation_renders_under_the_policy(live_server, world, desktop, browser_errors):
    from shuangfang.orgs.tests.factories import PASSWORD

    errors = browser_errors(desktop)
    desktop.goto(f"{live_server.url}/login/")
    desktop.fill("input[name=username]", "officer_a")
    desktop.fill("input[name=password]", PASSWORD)
    desktop.click("#login-form button[type=submit]")
    desktop.wait_for_selector("h1.greeting")
    desktop.goto(f"{live_server.url}/api/v1/docs")
    desktop.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
    assert errors == []

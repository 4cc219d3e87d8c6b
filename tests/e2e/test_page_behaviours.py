"""The small page behaviours that were inline script before the Content-Security-Policy, now in
static files (core/app.js and per-page scripts), still work in the browser with the policy on."""

from __future__ import annotations

import pytest

from .helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_plan_form_fields_follow_the_frequency_and_cancel_goes_back(
    live_server, world, desktop, browser_errors
):
    errors = browser_errors(desktop)
    base = live_server.url
    log_in(desktop, base, "officer_a")
    desktop.goto(f"{base}/inspections/plans/new/")
    desktop.select_option("#id_frequency", "hours")
    assert desktop.is_visible("#id_interval_hours") and not desktop.is_visible("#id_month_day")
    desktop.select_option("#id_frequency", "monthly")
    assert desktop.is_visible("#id_month_day") and not desktop.is_visible("#id_interval_hours")

    desktop.goto(f"{base}/risks/")
    desktop.goto(f"{base}/risks/points/new/")
    desktop.click("main a[data-back]")
    desktop.wait_for_url(f"{base}/risks/")
    assert errors == []


def test_a_select_submits_its_form_when_changed(live_server, world, desktop, browser_errors):
    errors = browser_errors(desktop)
    base = live_server.url
    log_in(desktop, base, "supervisor")
    desktop.goto(f"{base}/duty/")
    desktop.select_option("select[name=org]", str(world.inst_b.uuid))
    desktop.wait_for_url(f"**/duty/?org={world.inst_b.uuid}")
    assert errors == []

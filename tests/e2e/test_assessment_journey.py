"""Assessment scores in the browser: the bureau supervisor edits the weights (the sum shows while
typing; a wrong sum is refused), previews and saves; the score table ranks the institutions and a
row opens the breakdown; the institution head reads the breakdown on a 360 px phone."""

from __future__ import annotations

import pytest

from shuangfang.assessment.models import ScoringScheme
from shuangfang.dashboards.tests.records import fill

from .test_dashboards_journey import _fresh_content_types, log_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _data(world):
    fill(world.inst_a, world.users["safety_officer"], n=5, post=world.post_a)
    fill(world.inst_b, world.users["safety_officer"], n=1)


def test_scheme_table_and_breakdown_desktop(live_server, world, desktop, shot, browser_errors):
    _data(world)
    errors = browser_errors(desktop)
    log_in(desktop, live_server.url, "supervisor")
    desktop.goto(f"{live_server.url}/assessment/bureaus/{world.bureau.uuid}/scheme/")
    desktop.wait_for_selector("#weight-sum:has-text('100')")
    desktop.fill("input[name=weight_completion]", "30")
    desktop.wait_for_selector("#weight-sum.off:has-text('105')")
    desktop.click("button[value=save]")
    desktop.wait_for_selector(".form-errors:has-text('105')")
    assert not ScoringScheme.objects.exists()
    desktop.fill("input[name=weight_overdue]", "15")
    desktop.fill("input[name=note]", "2026 年度考核")
    desktop.click("button[value=preview]")
    desktop.wait_for_selector("th:has-text('按上述权重')")
    shot(desktop, "assessment-scheme-desktop")
    desktop.click("button[value=save]")
    desktop.wait_for_selector(".msg-success")
    assert ScoringScheme.objects.get(is_current=True).note == "2026 年度考核"

    desktop.goto(f"{live_server.url}/assessment/")
    desktop.wait_for_selector("table.scores tbody tr")
    shot(desktop, "assessment-table-desktop")
    # A click anywhere on the row opens the breakdown.
    desktop.click("table.scores tbody tr:has-text('测试救助站') td:nth-child(4)")
    desktop.wait_for_selector("h1:has-text('测试救助站')")
    desktop.wait_for_selector("table.breakdown")
    shot(desktop, "assessment-breakdown-desktop")
    # The records behind an indicator: the missed tasks of the period.
    desktop.click("table.breakdown tbody tr:nth-child(2) td:nth-child(2) a")
    desktop.wait_for_url("**/inspections/ledger/?**status=missed**")
    assert errors == []


def test_breakdown_on_a_phone(live_server, world, phone, shot, browser_errors):
    _data(world)
    errors = browser_errors(phone)
    log_in(phone, live_server.url, "head_a")
    phone.goto(f"{live_server.url}/assessment/")
    phone.wait_for_selector("table.breakdown")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page wider than the phone: {width}px"
    shot(phone, "assessment-breakdown-phone")
    phone.goto(f"{live_server.url}/dashboards/")
    phone.wait_for_selector(".score-tile")
    assert errors == []

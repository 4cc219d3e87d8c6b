"""Dashboards in the browser: an officer's institution dashboard (desktop and 360 px phone), every
figure a link; the bureau's ranking with drill-down; the 1920×1080 big screen refreshing itself
from its JSON endpoint for three cycles without reloading and without console errors."""

from __future__ import annotations

import pytest

from shuangfang.dashboards.tests.records import add_institution, fill

from .helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fresh_content_types():
    """The content-type cache can outlive the flush of an earlier transactional test (its ids are
    gone), and the audit rows the world writes point at content types: start from a clean cache."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


def _data(world):
    fill(world.inst_a, world.users["safety_officer"], n=5, post=world.post_a)
    fill(world.inst_b, world.users["safety_officer"], n=2)


def test_institution_dashboard_desktop_and_phone(live_server, world, desktop, phone, shot, browser_errors):
    _data(world)
    errors = browser_errors(desktop)
    log_in(desktop, live_server.url, "officer_a")
    desktop.goto(f"{live_server.url}/dashboards/")
    desktop.wait_for_selector("h1:has-text('测试救助站')")
    desktop.wait_for_selector("#chart-levels canvas")
    desktop.wait_for_selector("#chart-trend canvas")
    shot(desktop, "dashboards-institution-desktop")
    # The overdue figure leads to the overdue hazards of this institution.
    desktop.click("a.kpi:has-text('已逾期')")
    desktop.wait_for_url("**/hazards/?**overdue=true**")
    assert errors == []

    phone_errors = browser_errors(phone)
    log_in(phone, live_server.url, "head_a")
    phone.goto(f"{live_server.url}/dashboards/")
    phone.wait_for_selector("#chart-levels canvas")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page wider than the phone: {width}px"
    shot(phone, "dashboards-institution-phone")
    assert phone_errors == []


def test_bureau_ranking_and_big_screen(live_server, world, desktop, browser, shot, browser_errors):
    _data(world)
    errors = browser_errors(desktop)
    log_in(desktop, live_server.url, "supervisor")
    desktop.goto(f"{live_server.url}/dashboards/")
    desktop.wait_for_selector("table.rank tbody tr")
    first = desktop.inner_text("table.rank tbody tr:first-child td:first-child")
    assert first == "测试救助站"  # five of everything: worse than the home with two
    shot(desktop, "dashboards-bureau-desktop")
    desktop.click("table.rank tbody tr:first-child td:first-child a")
    desktop.wait_for_selector("h1:has-text('测试救助站')")
    assert errors == []

    # More institutions than the panel's 14 rows: the table pages through them.
    for n in range(13):
        add_institution(world.district, f"测试养老院{n + 2:02d}")
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    screen = ctx.new_page()
    screen_errors = browser_errors(screen)
    log_in(screen, live_server.url, "supervisor")
    screen.goto(f"{live_server.url}/dashboards/bureaus/{world.bureau.uuid}/screen/?refresh=2")
    screen.wait_for_selector("#institutions tr")
    assert screen.inner_text("#pages") == "第 1/2 页"
    assert screen.locator("#institutions tr").count() == 14
    screen.evaluate("window.__notReloaded = true")
    before = screen.inner_text("#t-open_major")
    fill(world.inst_b, world.users["safety_officer"], n=1)  # one more open major hazard
    screen.wait_for_function("() => Number(document.body.dataset.refreshes || 0) >= 3", timeout=45_000)
    assert screen.evaluate("window.__notReloaded") is True
    assert int(screen.inner_text("#t-open_major")) == int(before) + 1
    assert screen.inner_text("#pages") in ("第 1/2 页", "第 2/2 页")
    assert screen.evaluate("document.documentElement.scrollHeight") <= 1080
    assert screen.inner_text("#status") == ""
    shot(screen, "dashboards-screen-1920")
    assert screen_errors == []

    # The server goes away: the screen says its figures are stale, then recovers by itself.
    api = "**/api/v1/dashboards/**"
    screen.route(api, lambda route: route.fulfill(status=503, body="down"))
    screen.wait_for_selector("body.stale", timeout=20_000)
    assert "连接中断" in screen.inner_text("#status")
    shot(screen, "dashboards-screen-1920-stale")
    screen.unroute(api)
    refreshes = int(screen.evaluate("document.body.dataset.refreshes"))
    screen.wait_for_function(f"() => Number(document.body.dataset.refreshes) > {refreshes}", timeout=20_000)
    assert screen.evaluate("document.body.classList.contains('stale')") is False
    assert screen.inner_text("#status") == ""
    # The session ends (logged out elsewhere): the screen asks for a new login.
    screen.route(api, lambda route: route.fulfill(status=401, body="{}"))
    screen.wait_for_function(
        "() => document.getElementById('status').textContent.includes('重新登录')", timeout=20_000
    )
    assert screen.evaluate("window.__notReloaded") is True
    unexpected = [e for e in screen_errors if "Failed to load resource" not in e]
    assert unexpected == []
    ctx.close()


def test_bureau_scores_from_the_snapshots_phone_desktop_and_screen(
    live_server, world, desktop, phone, browser, shot, browser_errors
):
    """The worker's score snapshots on the bureau's ranking ("截至 HH:MM" under the score heading)
    at 1280 px and on a 360 px phone, and as the big screen's score column."""
    from shuangfang.assessment import snapshots

    _data(world)
    snapshots.refresh()
    errors = browser_errors(desktop)
    for page, name in ((desktop, "desktop"), (phone, "phone")):
        log_in(page, live_server.url, "supervisor")
        page.goto(f"{live_server.url}/dashboards/bureaus/{world.bureau.uuid}/")
        page.wait_for_selector("table.rank small.score-as-of")
        assert page.locator("table.rank small.score-as-of").inner_text().startswith("截至 ")
        assert page.locator("table.rank tbody .score-total").count() == 2
        shot(page, f"dashboards-bureau-scores-{name}")
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    screen = ctx.new_page()
    browser_errors(screen)  # the same list
    log_in(screen, live_server.url, "supervisor")
    screen.goto(f"{live_server.url}/dashboards/bureaus/{world.bureau.uuid}/screen/?refresh=2")
    screen.wait_for_selector("#institutions tr")
    screen.wait_for_function("() => Number(document.body.dataset.refreshes || 0) >= 1", timeout=30_000)
    assert screen.locator("#scores-as-of").inner_text()
    assert screen.locator("#institutions tr").first.locator("td").count() == 9  # the score is the second
    shot(screen, "dashboards-screen-scores-1920")
    ctx.close()
    assert errors == []

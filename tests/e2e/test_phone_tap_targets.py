"""Tap targets on a 360×740 phone (issue 15): every link, button, toggle and field a finger may hit
on the field and triage pages is at least 44 px tall and on the screen (not in a table running off
to the right), including the list's links, the filter toggles, the export links and the
breadcrumbs."""

from __future__ import annotations

import pytest

from shuangfang.hazards import services
from shuangfang.publicreports.tests.factories import report_at

from .helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What a finger can hit in the page's own content, its breadcrumbs and the "where you belong" trail
# (the top bar is tested with the menu). Hidden inputs, a file input's native box (its label is the
# target) and links inside a sentence are not targets of their own.
SMALL_TARGETS = """() => [...document.querySelectorAll(
    'main a, main button, main summary, main select, .crumbs a, .whereami a,'
    + 'main input:not([type=hidden]):not([type=file])'
  )].filter(el => {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(el).visibility === 'hidden') return false;
    if (el.closest('p:not(.list-meta), small, .msg') && !el.matches('button')) return false;
    const target = el.matches('input[type=checkbox], input[type=radio]') && el.closest('label')
      ? el.closest('label').getBoundingClientRect() : box;
    return target.height < 44 || box.right > window.innerWidth + 1;  // or off the screen's right
  }).map(el => `${el.tagName.toLowerCase()} "${(el.textContent || el.name || '').trim().slice(0, 20)}"`
    + ` ${Math.round(el.getBoundingClientRect().height)}px high, right edge`
    + ` ${Math.round(el.getBoundingClientRect().right)}px`)"""


def test_every_tap_target_on_the_field_pages_is_44_px(live_server, world, phone, shot, browser_errors):
    errors = browser_errors(phone)
    hazard = services.report_hazard(
        actor=world.users["staff"], organization=world.inst_a, description="配电房门未上锁", source="snap"
    )
    report_at(world.inst_a)
    log_in(phone, live_server.url, world.users["safety_officer"].username)
    small: dict[str, list[str]] = {}
    for path in (
        "/",
        "/hazards/report/",
        "/hazards/",
        "/hazards/?overdue=1",
        f"/hazards/{hazard.uuid}/",
        "/hazards/mine/",
        "/inspections/ledger/",
        "/publicreports/",
        "/publicreports/posters/",
    ):
        phone.goto(f"{live_server.url}{path}")
        for summary in phone.locator("main details > summary").all():  # 更多筛选 opened too
            if summary.is_visible():
                summary.tap()
        phone.wait_for_load_state("networkidle")
        found = phone.evaluate(SMALL_TARGETS)
        if found:
            small[path] = found
        shot(phone, "tap-targets" + path.replace("/", "-").replace("?", "-").replace("=", "-"))
    assert not small, f"tap targets under 44 px: {small}"
    assert errors == []

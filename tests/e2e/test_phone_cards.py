"""Lists on a phone are cards (issue 15): at 360 px the hazard list shows each hazard as a card whose
lines name their column (状态, 整改期限 …), with nothing off-screen to the right and links a finger
can hit; at a desk it stays a table."""

from __future__ import annotations

import pytest

from shuangfang.hazards import services

from .helpers import log_in as _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _hazards(world) -> None:
    for text in ("厨房灭火器压力不足，指针在红区", "二楼安全出口指示灯不亮", "配电房门未上锁"):
        services.report_hazard(
            actor=world.users["staff"], organization=world.inst_a, description=text, source="snap"
        )


def test_the_hazard_list_is_cards_on_a_phone(live_server, world, phone, shot, browser_errors):
    errors = browser_errors(phone)
    _hazards(world)
    _login(phone, live_server.url, world.users["safety_officer"].username)
    phone.goto(f"{live_server.url}/hazards/")
    rows = phone.locator("#list-table tbody tr")
    assert rows.count() == 3
    first = rows.first.bounding_box()
    assert first is not None and first["x"] >= 0 and first["x"] + first["width"] <= 360
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360, "the list overflows at 360 px"
    # Every line but the title names its column, in the reader's language.
    labels = phone.evaluate(
        "[...document.querySelectorAll('#list-table tbody tr:first-child td')]"
        ".map(td => getComputedStyle(td, '::before').content)"
    )
    assert labels[0] in ("none", "normal") and all(lab.strip('"') for lab in labels[1:])
    assert any("状态" in lab for lab in labels)
    overflowing = phone.evaluate(
        "[...document.querySelectorAll('#list-table tbody td')]"
        ".filter(td => td.scrollWidth > td.clientWidth + 1).length"
    )
    assert overflowing == 0, "a card line runs off the card (a long hazard name must wrap)"
    link = phone.locator("#list-table tbody tr:first-child td a").first.bounding_box()
    assert link is not None and link["height"] >= 44
    shot(phone, "hazards-cards-phone")
    assert errors == []


def test_the_hazard_list_stays_a_table_at_a_desk(live_server, world, desktop, shot):
    _hazards(world)
    _login(desktop, live_server.url, world.users["safety_officer"].username)
    desktop.goto(f"{live_server.url}/hazards/")
    assert desktop.locator("#list-table thead th").first.is_visible()
    assert (
        desktop.evaluate("getComputedStyle(document.querySelector('#list-table tbody tr')).display")
        == "table-row"
    )
    shot(desktop, "hazards-table-desktop")

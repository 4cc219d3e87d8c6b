"""The figure sections other apps register on the dashboards (food, equipment, readiness): on the
institution dashboard (desktop and 360 px phone, nothing wider than the phone); a number leads to
its list. (The bureau's per-institution tables: dashboards/tests/test_sections.py.)"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shuangfang.equipment import services as equipment
from shuangfang.food.tests.helpers import kitchen_a

from .test_dashboards_journey import _fresh_content_types, log_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _data(world):
    today = timezone.localdate()
    equipment.register_equipment(
        actor=world.users["safety_officer"], organization=world.inst_a, kind="lift", name="1号电梯",
        registration_number="梯1", next_inspection_on=today - dt.timedelta(days=3),
    )  # fmt: skip
    kitchen_a(world, photos=False)


def test_sections_on_both_dashboards(live_server, world, desktop, phone, shot, browser_errors):
    _data(world)
    errors = browser_errors(desktop)
    log_in(desktop, live_server.url, "officer_a")
    desktop.goto(f"{live_server.url}/dashboards/")
    desktop.wait_for_selector("article[data-section=equipment]")
    desktop.wait_for_selector("article[data-section=food]")
    shot(desktop, "figure-sections-institution-desktop")
    desktop.click("article[data-section=equipment] a[data-count='1']")
    desktop.wait_for_url("**/equipment/?**state=inspection_overdue**")
    assert "1号电梯" in desktop.content()
    assert errors == []

    phone_errors = browser_errors(phone)
    log_in(phone, live_server.url, "officer_a")
    phone.goto(f"{live_server.url}/dashboards/")
    phone.wait_for_selector("article[data-section=readiness]")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page wider than the phone: {width}px"
    shot(phone, "figure-sections-institution-phone")
    assert phone_errors == []

"""At 3 a.m. the cook on duty gets the alarm on a cheap phone, sees who is on duty, and
acknowledges from the inbox; a second alarm is acknowledged from the one-tap link without login."""

import datetime as dt

import pytest

from shuangfang.duty import services as duty
from shuangfang.notifications import engine, links
from shuangfang.notifications.incidents import open_incident
from shuangfang.notifications.models import Incident

from .helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _setup(world):
    duty.save_shift(
        actor=world.root,
        organization=world.inst_a,
        members=[world.users["staff"]],
        name="24 小时班",
        start_time=dt.time(0, 0),
        duration_minutes=24 * 60,
        rotation_start=dt.date(2026, 1, 1),
        post=world.post_a,
    )
    first = open_incident(
        organization=world.inst_a,
        kind="alarm.opened",
        severity="critical",
        title="厨房燃气浓度超标",
        url="/duty/",
        source_kind="alarm",
        source_uuid="e2e-1",
    )
    second = open_incident(
        organization=world.inst_a,
        kind="alarm.opened",
        severity="critical",
        title="仓库烟感报警",
        url="/duty/",
        source_kind="alarm",
        source_uuid="e2e-2",
    )
    engine.process_due()
    return first, second


def test_cook_on_duty_acknowledges_an_alarm_on_a_phone(live_server, world, phone, shot, browser_errors):
    first, second = _setup(world)
    errors = browser_errors(phone)
    log_in(phone, live_server.url, "cook_a")
    phone.goto(f"{live_server.url}/duty/")
    phone.wait_for_selector("[data-testid=on-duty-now]")
    assert "cook_a" in phone.inner_text("[data-testid=on-duty-now]")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    shot(phone, "duty-phone-on-duty")

    phone.goto(f"{live_server.url}/notifications/")
    items = phone.locator("[data-testid=inbox-item]")
    assert items.count() == 2
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    shot(phone, "notifications-phone-inbox")
    phone.locator("[data-testid=inbox-item]", has_text="厨房燃气浓度超标").click()
    phone.wait_for_selector("text=确认：我来处理")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    shot(phone, "notifications-phone-incident")
    phone.click("text=确认：我来处理")
    phone.wait_for_selector("text=已确认，升级通知已停止。")
    first.refresh_from_db()
    assert first.status == "acknowledged" and first.acknowledged_by == world.users["staff"]
    assert not errors, errors

    # The second alarm, from the SMS link, on a phone that is not logged in.
    phone.context.clear_cookies()
    token = links.make_token(second.pk, world.users["staff"].pk)
    phone.goto(live_server.url + links.ack_path(token))
    phone.wait_for_selector("text=仓库烟感报警")
    shot(phone, "notifications-phone-ack-link")
    phone.click("text=确认：我来处理")
    phone.wait_for_selector("[data-testid=ack-done]")
    assert Incident.objects.get(pk=second.pk).acknowledged_via == "link"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    shot(phone, "notifications-phone-ack-link-done")


def test_officer_reads_the_delivery_log_and_policies_on_a_desktop(
    live_server, world, desktop, shot, browser_errors
):
    from shuangfang.notifications.tests.helpers import policy_a

    _setup(world)
    policy_a(world)
    errors = browser_errors(desktop)
    log_in(desktop, live_server.url, "officer_a")
    desktop.goto(f"{live_server.url}/notifications/log/")
    desktop.wait_for_selector("table")
    text = desktop.inner_text("body")
    assert "厨房燃气浓度超标" in text and "未登记手机号或邮箱" in text
    shot(desktop, "notifications-desktop-log")
    desktop.goto(f"{live_server.url}/notifications/policies/{policy_a(world).uuid}/edit/")
    desktop.wait_for_selector("text=第 2 步")
    shot(desktop, "notifications-desktop-policy")
    desktop.goto(f"{live_server.url}/duty/")
    shot(desktop, "duty-desktop-board")
    assert not errors, errors

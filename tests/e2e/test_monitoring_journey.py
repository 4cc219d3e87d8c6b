"""A safety officer registers a smart-electricity monitor, the device posts readings, the alarm shows
up live on the fire-safety monitor, the officer acknowledges and clears it; the monitor on a phone."""

from __future__ import annotations

import datetime as dt
import json
import urllib.request

import pytest
from django.utils import timezone

from .helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def post(base: str, token: str, body: dict) -> dict:
    req = urllib.request.Request(
        f"{base}/api/v1/monitoring/ingest/batch",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(req, timeout=10) as r:  # noqa: S310 - the test server
        return json.loads(r.read())


def test_register_alarm_live_acknowledge_clear(live_server, world, desktop, phone, shot, browser_errors):
    from shuangfang.monitoring.rules import ensure_default_rules

    ensure_default_rules()  # a transactional test starts from a flushed database
    errors = browser_errors(desktop)
    log_in(desktop, live_server.url, "officer_a")
    desktop.goto(f"{live_server.url}/monitoring/devices/new/")
    desktop.select_option("select[name=organization]", label="测试救助站")
    desktop.select_option("select[name=kind]", value="electricity")
    desktop.fill("input[name=code]", "EL-E2E-1")
    desktop.fill("input[name=name]", "厨房配电箱")
    desktop.fill("input[name=building]", "综合楼")
    desktop.fill("input[name=floor]", "1F")
    desktop.fill("input[name=location]", "厨房")
    desktop.click("main form button[type=submit]")
    desktop.wait_for_selector("#device-token")
    token = desktop.inner_text("#device-token").strip()
    assert token.startswith("sfd_")
    shot(desktop, "monitoring-desktop-credentials")

    desktop.goto(f"{live_server.url}/monitoring/")
    desktop.wait_for_selector("text=当前无报警")
    now = timezone.now()
    readings = [
        {
            "device_id": "EL-E2E-1",
            "ts": (now - dt.timedelta(seconds=30 - i * 10)).isoformat(),
            "channels": {"residual_current_ma": v, "temp_c": {"L1": 41.5}, "voltage_v": {"L1": 221}},
        }
        for i, v in enumerate([120, 380, 390, 410])
    ]
    result = post(live_server.url, token, {"messages": readings})
    assert result["accepted"] == 4 and result["alarms_opened"] == 1
    # htmx polling brings the alarm in without a reload
    desktop.wait_for_selector("text=剩余电流超限", timeout=12_000)
    assert "报警中" in desktop.inner_text("#live")
    shot(desktop, "monitoring-desktop-monitor-alarm")

    desktop.click("text=剩余电流超限")
    desktop.wait_for_selector("h1")
    desktop.fill("input[name=note]", "电工已到场检查")
    desktop.click("button:has-text('确认')")
    desktop.wait_for_selector("text=报警已确认")
    desktop.select_option("select[name=reason]", value="false_alarm")
    desktop.fill("form:has(select[name=reason]) input[name=note]", "漏电测试按钮误触")
    desktop.click("button:has-text('解除')")
    desktop.wait_for_selector("text=报警已解除")
    shot(desktop, "monitoring-desktop-alarm-cleared")

    desktop.click("text=厨房配电箱")
    desktop.wait_for_selector("#chart canvas", timeout=10_000)
    shot(desktop, "monitoring-desktop-device-chart")
    assert not errors, errors

    log_in(phone, live_server.url, "officer_a")
    phone.goto(f"{live_server.url}/monitoring/")
    phone.wait_for_selector("text=按楼栋、楼层查看设备")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    shot(phone, "monitoring-phone-monitor")

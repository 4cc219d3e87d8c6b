"""The city bureau's administrator finds an alarm's hazard that could not be opened on the
operations page, sees why, and sends it round again once the fault is mended."""

import pytest

from shuangfang.core import events, outbox
from shuangfang.core.models import OutboxEvent
from shuangfang.hazards import consumers
from shuangfang.hazards.models import Hazard
from tests.e2e.test_foundation_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_administrator_retries_a_given_up_event(
    live_server, world, desktop, phone, shot, settings, monkeypatch
):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    real = consumers.report_hazard

    def broken(**kw):
        raise RuntimeError("hazard numbering table locked")

    monkeypatch.setattr(outbox, "kick", lambda: None)
    monkeypatch.setattr(consumers, "report_hazard", broken)
    events.publish(
        "alarm.opened",
        organization_id=world.inst_a.pk,
        object_uuid="a-1",
        title="厨房烟感报警",
        severity="critical",
        device_uuid="d-1",
        alarm_type="smoke",
        open_hazard=True,
        hazard_description="厨房烟感报警",
    )
    outbox.drain()
    assert OutboxEvent.objects.failed().count() == 1

    page = desktop
    log_in(page, live_server.url, "admin_a")
    page.goto(f"{live_server.url}/ops/outbox/")
    page.wait_for_selector("text=hazard numbering table locked")
    shot(page, "outbox-desktop-given-up")

    monkeypatch.setattr(consumers, "report_hazard", real)
    page.click("text=重新提交所选事件")
    page.wait_for_selector("text=已重新提交 1 个事件")
    outbox.drain()
    page.goto(f"{live_server.url}/ops/outbox/")
    page.wait_for_selector("text=没有已放弃的事件")
    shot(page, "outbox-desktop-after-retry")
    assert Hazard.objects.filter(origin="alarm:a-1").count() == 1

    log_in(phone, live_server.url, "admin_a")
    phone.goto(f"{live_server.url}/ops/outbox/")
    phone.wait_for_selector("h1")
    shot(phone, "outbox-phone")

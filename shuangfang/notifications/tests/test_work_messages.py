"""WeCom and DingTalk work messages to one person (issue 23), not group robots: planned for the
recipient as a personal channel, sent through the install's app to the local simulator of their
server APIs (``orgs/tests/workapp_sim``), retried when the app is down, and falling through to SMS
(then email) when the app is not configured."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from shuangfang.notifications import engine
from shuangfang.notifications.choices import Channel, DeliveryStatus
from shuangfang.notifications.models import Delivery
from shuangfang.notifications.planning import Planner
from shuangfang.orgs.tests import workapp_sim

pytestmark = pytest.mark.django_db


@pytest.fixture
def sim(settings):
    cache.clear()
    sim = workapp_sim.start()
    workapp_sim.configure(settings, sim)
    yield sim
    sim.server.shutdown()
    cache.clear()


def _message(world, channels):
    return Planner(world.inst_a).message(
        recipient=world.users["safety_officer"],
        kind="alarm.opened",
        severity="critical",
        title="厨房燃气浓度超标",
        url="/monitoring/alarms/1/",
        channels=channels,
        quiet=False,
    )


@pytest.mark.parametrize("channel", [Channel.WECOM_WORK, Channel.DINGTALK_WORK])
def test_a_work_message_reaches_the_person(world, sim, channel):
    officer = world.users["safety_officer"]
    sim.people[officer.username] = "13900000001"
    _message(world, [channel])
    engine.send_due_deliveries()
    delivery = Delivery.objects.get(channel=channel)
    assert delivery.status == DeliveryStatus.SENT, delivery.last_error
    assert delivery.address == officer.username and delivery.provider_id is None
    (sent,) = sim.sent
    text = sent["text"]["content"] if channel == Channel.WECOM_WORK else sent["msg"]["text"]["content"]
    assert "厨房燃气浓度超标" in text and text.rstrip().endswith("/monitoring/alarms/1/")
    assert (sent.get("touser") or sent.get("userid_list")) == officer.username


def test_an_app_that_is_down_is_retried(world, sim, settings):
    sim.people[world.users["safety_officer"].username] = ""
    settings.WECOM_API = "http://127.0.0.1:9"
    _message(world, [Channel.WECOM_WORK])
    engine.send_due_deliveries()
    delivery = Delivery.objects.get(channel=Channel.WECOM_WORK)
    assert delivery.status == DeliveryStatus.QUEUED and delivery.attempts == 1 and delivery.next_attempt_at


def test_not_configured_falls_through_to_sms(world, settings):
    settings.WECOM_CORP_ID = ""
    note = _message(world, [Channel.WECOM_WORK])
    rows = {d.channel: d for d in note.deliveries.all()}
    assert rows[Channel.WECOM_WORK].status == DeliveryStatus.FAILED
    assert "企业微信应用消息" in rows[Channel.WECOM_WORK].last_error
    assert rows[Channel.SMS].fallback_from_id == rows[Channel.WECOM_WORK].pk

"""A provider's lowest severity holds for every kind of channel: SMS and voice as group robots."""

from __future__ import annotations

import pytest
from django.utils import timezone

from shuangfang.notifications.choices import ContactKind, DeliveryStatus
from shuangfang.notifications.models import Contact
from shuangfang.notifications.planning import Planner

from .test_channels import PROVIDERS, _provider


def _warning(world, channels):
    return Planner(world.inst_a).message(
        recipient=world.users["safety_officer"],
        kind="alarm.opened",
        severity="warning",
        title="配电箱门被打开（防拆报警）",
        url="/monitoring/alarms/1/",
        channels=channels,
        quiet=False,
    )


@pytest.mark.parametrize("kind", [k for k, v in PROVIDERS.items() if v[3] in {"sms", "voice"}])
def test_a_warning_is_not_sent_by_a_provider_set_to_critical_only(world, receiver, kind):
    provider = _provider(world, receiver, kind)
    provider.min_severity = "critical"
    provider.save(update_fields=["min_severity"])
    Contact.objects.create(
        user=world.users["safety_officer"],
        kind=ContactKind.PHONE,
        address="13900000001",
        verified_at=timezone.now(),
    )
    channel = PROVIDERS[kind][3]
    note = _warning(world, [channel])
    row = note.deliveries.get(channel=channel)
    assert row.status == DeliveryStatus.FAILED
    assert kind in row.last_error and row.next_attempt_at is None  # "<provider> sends only from …"
    assert receiver.seen == []


def test_a_critical_alarm_still_goes_out(world, receiver):
    provider = _provider(world, receiver, "aliyun_voice")
    provider.min_severity = "critical"
    provider.save(update_fields=["min_severity"])
    Contact.objects.create(
        user=world.users["safety_officer"],
        kind=ContactKind.PHONE,
        address="13900000001",
        verified_at=timezone.now(),
    )
    note = Planner(world.inst_a).message(
        recipient=world.users["safety_officer"],
        kind="alarm.opened",
        severity="critical",
        title="厨房燃气浓度超标",
        url="/monitoring/alarms/1/",
        channels=["voice"],
        quiet=False,
    )
    assert note.deliveries.get(channel="voice").status == DeliveryStatus.QUEUED

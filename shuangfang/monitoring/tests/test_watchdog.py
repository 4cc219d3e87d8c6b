"""The MQTT listeners' watchdog: a listener that is down (no heartbeat for MQTT_LISTENER_SILENCE
seconds while devices report) tells the operators once per outage, shows on /health/ready, and
keeps the offline sweep from marking every device offline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shuangfang.core import outbox
from shuangfang.monitoring import tasks
from shuangfang.monitoring.models import Alarm, Device, ListenerBeat
from shuangfang.monitoring.mqtt import Listener
from shuangfang.monitoring.watchdog import check_listeners, listeners_down
from shuangfang.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def mqtt_on(settings):
    settings.MQTT_URL = "mqtt://127.0.0.1:1"
    settings.MQTT_LISTENER_SILENCE = 120


def beat(seconds_ago: float) -> None:
    at = timezone.now() - dt.timedelta(seconds=seconds_ago)
    ListenerBeat.objects.update_or_create(
        client_id="sf-listener-1", defaults={"started_at": at, "last_beat_at": at}
    )


def seen(kit, minutes_ago: float) -> None:
    """The devices last reported ``minutes_ago`` (heartbeat every 300 s: offline after 15 min)."""
    at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    Device.objects.filter(pk=kit.meter.pk).update(online=True, last_seen_at=at)


def test_a_listener_that_beats_is_up(world, kit, mqtt_on, client):
    seen(kit, 1)
    beat(10)
    assert not listeners_down()
    assert not check_listeners()
    assert client.get("/health/ready").json()["problems"] == []


def test_a_silent_listener_tells_the_operators_once_and_shows_on_health(world, kit, mqtt_on, client):
    seen(kit, 20)
    beat(600)
    assert check_listeners() and check_listeners()  # the watchdog runs every minute: told once
    outbox.drain()
    told = Notification.objects.filter(kind="ops.listener_down")
    assert [n.recipient for n in told] == [world.users["admin"]]  # system.operate at the top
    assert told[0].severity == "critical" and "MQTT" in told[0].title
    response = client.get("/health/ready")
    assert response.status_code == 503 and "mqtt_listener" in response.json()["problems"]
    # The devices are not silent, the platform is deaf: no device goes offline meanwhile.
    assert tasks.sweep_offline_devices.call_local() == 0
    assert not Alarm.objects.exists()
    # A new outage (after the listener came back and died again) is told again.
    beat(300)
    check_listeners()
    outbox.drain()
    assert Notification.objects.filter(kind="ops.listener_down").count() == 2


def test_no_listener_ever_is_down_once_devices_report(world, kit, mqtt_on):
    assert not listeners_down()  # no device has reported yet: nothing is expected
    seen(kit, 1)
    assert listeners_down()


def test_without_mqtt_configured_there_is_nothing_to_watch(world, kit, settings):
    settings.MQTT_URL = ""
    seen(kit, 20)
    assert not check_listeners()
    assert tasks.sweep_offline_devices.call_local() == 1  # the offline sweep runs as before


def test_a_connected_listener_writes_its_heartbeat(world, kit, mqtt_on):
    seen(kit, 1)
    lst = Listener(client_id="sf-listener-7", host="127.0.0.1", port=1)
    lst.beat(force=True)
    assert not ListenerBeat.objects.exists()  # not connected to the broker: not alive
    lst.connected.set()
    lst.stats.received = 12
    lst.beat(force=True)
    row = ListenerBeat.objects.get()
    assert row.client_id == "sf-listener-7" and row.received == 12
    assert not listeners_down()

"""The MQTT listener against the real Mosquitto on this machine and the real database: readings
stored, one alarm under repeated triggers, the event published, bad input refused without
stopping the listener, and a broker restart mid-stream losing nothing at QoS 1."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import socket
import subprocess
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from django.utils import timezone
from paho.mqtt.enums import CallbackAPIVersion

from shuangfang.monitoring.models import Alarm, Reading, Rejection
from shuangfang.monitoring.mqtt import Listener, topic_for

from .conftest import make_kit

pytestmark = pytest.mark.django_db(transaction=True)
HOST, PORT = "127.0.0.1", 1883
PIDFILE = Path("/run/mosquitto/mosquitto.pid")


def broker_up() -> bool:
    try:
        socket.create_connection((HOST, PORT), timeout=0.5).close()
        return True
    except OSError:
        return False


if not broker_up():  # pragma: no cover
    pytest.skip("Mosquitto is not running on 127.0.0.1:1883", allow_module_level=True)


@pytest.fixture
def root():
    return f"sftest/{secrets.token_hex(4)}"


@pytest.fixture
def listener(root):
    tag = secrets.token_hex(3)
    lst = Listener(
        root=root, group=f"g{tag}", client_id=f"sftest-listener-{tag}", flush_ms=20, host=HOST, port=PORT
    )
    lst.start()
    assert lst.connected.wait(5)
    time.sleep(0.2)  # SUBACK
    yield lst
    lst.stop()
    forget(lst.client_id)


def forget(client_id: str) -> None:
    """Drop the persistent session on the broker."""
    c = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=True)
    c.connect(HOST, PORT)
    c.loop_start()
    time.sleep(0.1)
    c.disconnect()
    c.loop_stop()


def publisher(client_id: str | None = None, clean: bool = True) -> mqtt.Client:
    c = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id=client_id or f"sftest-pub-{secrets.token_hex(3)}",
        clean_session=clean,
    )
    c.reconnect_delay_set(min_delay=1, max_delay=2)
    c.connect(HOST, PORT)
    c.loop_start()
    return c


def pump(lst: Listener, until, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        lst.step(wait=0.05)
        if until():
            return
    raise AssertionError(f"timed out; stats {lst.stats}")


BASE = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=20)


def reading(code: str, seconds: int, value: float, msg_id: str | None = None) -> bytes:
    ts = BASE + dt.timedelta(seconds=seconds)
    return json.dumps(
        {
            "device_id": code,
            "msg_id": msg_id,
            "ts": ts.isoformat(),
            "channels": {"residual_current_ma": value},
        }
    ).encode()


def test_reading_stored_alarm_opened_once_event_published(world, listener, root, published):
    kit = make_kit(world)
    topic = topic_for(kit.meter, root)
    pub = publisher()
    pub.publish(topic, reading("EL-0001", 0, 42), qos=1).wait_for_publish(5)
    pump(listener, lambda: Reading.objects.filter(device=kit.meter).count() == 1)
    for i in range(1, 9):
        pub.publish(topic, reading("EL-0001", i, 400 + i), qos=1)
    pump(listener, lambda: Reading.objects.filter(device=kit.meter).count() == 9)
    alarm = Alarm.objects.get()
    assert alarm.count == 6 and alarm.last_value == 408
    opened = [p for k, p in published if k == "alarm.opened"]
    assert len(opened) == 1 and opened[0]["object_uuid"] == str(alarm.uuid) and opened[0]["open_hazard"]
    pub.loop_stop()


def test_bad_messages_are_refused_and_the_listener_carries_on(world, listener, root):
    kit = make_kit(world)
    pub = publisher()
    topic = topic_for(kit.meter, root)
    wrong_org = f"{root}/{kit.other.organization.uuid}/EL-0001/up"
    for t, body in [
        (topic, b"{not json"),
        (
            topic,
            json.dumps(
                {"device_id": "EL-0001", "ts": "2026-01-01T00:00:00+08:00", "channels": {"temp_c": 5000}}
            ).encode(),
        ),
        (topic, b"{" + b" " * 70_000 + b"}"),
        (topic, reading("EL-B001", 1, 1)),  # payload for another device
        (wrong_org, reading("EL-0001", 1, 1)),  # topic of another institution
        (f"{root}/{kit.meter.organization.uuid}/NOPE/up", reading("NOPE", 1, 1)),
        (f"{root}/not-a-uuid/EL-0001/up", reading("EL-0001", 1, 1)),
    ]:
        pub.publish(t, body, qos=1)
    pub.publish(topic, reading("EL-0001", 2, 42), qos=1)
    pump(listener, lambda: listener.stats.received >= 8)
    assert Reading.objects.filter(device=kit.meter).count() == 1
    reasons = sorted(Rejection.objects.values_list("reason", flat=True))
    assert reasons == [
        "bad_topic",
        "invalid",
        "malformed",
        "oversized",
        "unknown_device",
        "unknown_device",
        "wrong_device",
    ]
    kit.meter.refresh_from_db()
    assert kit.meter.rejected_count == 4
    pub.loop_stop()


def restart_broker() -> None:
    pid = int(PIDFILE.read_text().strip())
    subprocess.run(["kill", str(pid)], check=True)
    for _ in range(100):
        if not broker_up():
            break
        time.sleep(0.05)
    time.sleep(0.3)
    subprocess.run(["mosquitto", "-d", "-c", "/etc/mosquitto/mosquitto.conf"], check=True)
    for _ in range(100):
        if broker_up():
            return
        time.sleep(0.05)
    raise AssertionError("mosquitto did not come back")


@pytest.mark.parametrize("shared", [False, True], ids=["plain", "shared"])
def test_broker_restart_mid_stream_loses_nothing_at_qos1(world, root, shared):
    """Plain persistent subscription: the publisher keeps publishing across the restart. Shared
    group: Mosquitto 2.0.11 drops messages published while the shared subscription is gone (it does
    not restore it from persistence), so the stream is fully published before the restart and the
    restart comes while the listener is still working through it."""
    kit = make_kit(world)
    tag = secrets.token_hex(3)
    listener = Listener(
        root=root,
        group=f"g{tag}",
        client_id=f"sftest-listener-{tag}",
        flush_ms=20,
        batch_size=50,
        host=HOST,
        port=PORT,
        shared=shared,
    )
    listener.start()
    assert listener.connected.wait(5)
    time.sleep(0.2)
    topic = topic_for(kit.meter, root)
    pub_id = f"sftest-pub-{secrets.token_hex(3)}"
    pub = publisher(pub_id, clean=False)
    acks: list[int] = []
    pub.on_publish = lambda c, u, mid, rc, props: acks.append(mid)
    n = 600
    done = threading.Event()

    def produce():
        for i in range(n):
            pub.publish(topic, reading("EL-0001", i, 40, msg_id=str(i)), qos=1)
            if i % 50 == 0 and not shared:
                time.sleep(0.05)
        done.set()

    threading.Thread(target=produce, daemon=True).start()
    if shared:
        end = time.monotonic() + 20
        while len(acks) < n and time.monotonic() < end:
            time.sleep(0.05)
    pump(listener, lambda: listener.stats.received >= 150, timeout=20)
    restart_broker()
    try:
        pump(
            listener,
            lambda: (
                done.is_set()
                and listener.stats.connects >= 2
                and Reading.objects.filter(device=kit.meter).count() >= n
            ),
            timeout=30,
        )
        end = time.monotonic() + 1.5  # redeliveries of what was not acknowledged before the restart
        while time.monotonic() < end:
            listener.step(wait=0.05)
    finally:
        pub.loop_stop()
        listener.stop()
        forget(pub_id)
        forget(listener.client_id)
    assert len(acks) == n
    assert Reading.objects.filter(device=kit.meter).count() == n
    assert listener.stats.connects >= 2 and listener.stats.received >= n

"""The MQTT listener against the real Mosquitto on this machine and the real database: readings
stored, one alarm under repeated triggers, the event published, bad input refused without
stopping the listener, a broker restart mid-stream losing nothing at QoS 1, and listeners that scale
in and out (unique client ids, a stopped or dead member's share served by the rest of the group).

The broker is shared with other test runs: every test uses its own topic root and group. With
MQTT_URL set (CI) the tests run and fail if the broker is away; without it they skip."""

from __future__ import annotations

import datetime as dt
import json
import os
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


if not broker_up() and not os.environ.get("MQTT_URL"):  # pragma: no cover
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


def two_listeners(root: str, **kwargs) -> tuple[Listener, Listener]:
    """Two listeners of one fresh group, with the default (unique) client ids, connected."""
    group = f"g{secrets.token_hex(3)}"
    pair = (
        Listener(root=root, group=group, flush_ms=20, host=HOST, port=PORT, **kwargs),
        Listener(root=root, group=group, flush_ms=20, host=HOST, port=PORT, **kwargs),
    )
    for lst in pair:
        lst.start()
        assert lst.connected.wait(5)
    time.sleep(0.3)  # SUBACKs
    return pair


def crash(lst: Listener) -> None:
    """Die like a killed process: the socket closes without a DISCONNECT, nothing is acknowledged."""
    lst.stopping.set()
    lst.client.loop_stop()
    sock = lst.client.socket()
    assert sock is not None
    sock.close()


def test_two_listeners_with_default_settings_keep_their_connections(world, root):
    """Unique client ids by default: two listeners on one host both stay connected (a fixed
    per-host id had them take the session from each other, 15 reconnects in 20 s)."""
    kit = make_kit(world)
    a, b = two_listeners(root)
    try:
        assert a.client_id != b.client_id and a.client_id.startswith("shuangfang-")
        pub = publisher()
        topic = topic_for(kit.meter, root)
        for i in range(20):
            pub.publish(topic, reading("EL-0001", i, 40), qos=1)
        end = time.monotonic() + 5
        while time.monotonic() < end:
            a.step(wait=0.05)
            b.step(wait=0.05)
        pub.loop_stop()
        assert (a.stats.connects, a.stats.disconnects) == (1, 0)
        assert (b.stats.connects, b.stats.disconnects) == (1, 0)
        assert a.stats.received + b.stats.received == 20
        assert Reading.objects.filter(device=kit.meter).count() == 20
    finally:
        a.stop()
        b.stop()


def test_a_listener_that_stops_leaves_its_share_to_the_group(world, root):
    """SIGTERM: the listener unsubscribes, processes and acknowledges what it holds and ends its
    session, so the messages published after it stops all go to the listener that remains, at once."""
    kit = make_kit(world)
    a, b = two_listeners(root)
    pub = publisher()
    topic = topic_for(kit.meter, root)
    m = 200
    try:
        for i in range(m):
            pub.publish(topic, reading("EL-0001", i, 40, msg_id=str(i)), qos=1)
        end = time.monotonic() + 0.5  # both have a part of the first stream in hand
        while time.monotonic() < end:
            b.step(wait=0.02)
        a.stop()
        for i in range(m, 2 * m):
            pub.publish(topic, reading("EL-0001", i, 40, msg_id=str(i)), qos=1).wait_for_publish(5)
        started = time.monotonic()
        pump(b, lambda: Reading.objects.filter(device=kit.meter).count() == 2 * m, timeout=10)
        assert time.monotonic() - started < 10
        assert a.stats.received > 0 and a.stats.received + b.stats.received >= 2 * m
    finally:
        pub.loop_stop()
        a.stop()
        b.stop()


def test_a_dead_listeners_share_goes_to_the_group_once_its_session_expires(world, root):
    """A killed listener: Mosquitto 2.0 keeps routing its share of the group to its session until
    the session expires, and then discards what it held (it does not hand it to the other members).
    From the expiry on, everything reaches the listener that remains: the bound is the session
    expiry (here 3 s; MQTT_SESSION_EXPIRY, 30 s by default) plus the broker's once-a-second check."""
    kit = make_kit(world)
    expiry = 3
    a, b = two_listeners(root, session_expiry=expiry)
    pub = publisher()
    topic = topic_for(kit.meter, root)
    try:
        crash(a)
        died = time.monotonic()
        # Probes every 0.1 s: the group alternates between its members, so two probes in a row
        # reaching b mean that a's session is gone.
        seen: list[int] = []
        b.on_batch = lambda batch, outcome: seen.extend(json.loads(m.payload)["msg_id"] for m in batch)
        probe = 0
        while True:
            assert time.monotonic() - died < expiry + 3, f"the dead session outlived its expiry; {seen}"
            pub.publish(topic, reading("EL-0001", 1000 + probe, 40, msg_id=f"{probe}"), qos=1)
            probe += 1
            b.step(wait=0.1)
            got = {int(x) for x in seen}
            if {probe - 2, probe - 3} <= got:
                break
        served_after = time.monotonic() - died
        assert served_after >= expiry - 0.5  # until then, every other probe went to the dead session
        m = 200
        for i in range(m):
            pub.publish(topic, reading("EL-0001", i, 40, msg_id=f"m{i}"), qos=1).wait_for_publish(5)
        pump(
            b,
            lambda: (
                Reading.objects.filter(device=kit.meter, ts__lt=BASE + dt.timedelta(seconds=m)).count() == m
            ),
            timeout=10,
        )
    finally:
        pub.loop_stop()
        b.stop()

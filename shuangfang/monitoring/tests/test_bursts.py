"""Bursts are lossless by design (issue 16): a burst larger than what the listener may hold is kept
by the broker (flow control: the Receive Maximum bounds the messages in the listener's memory, the
shipped broker queue holds the rest) and every message is stored once; the broker's dropped-message
counter (``$SYS``) is watched and the operators are told when it rises; a lone alarm reading is
processed at once, without waiting for the batch window; a storm's alarms are committed together.
Against a Mosquitto of the test's own, started from the shipped configuration (``broker.py``)."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import subprocess
import time

import paho.mqtt.client as mqtt
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shuangfang.core import outbox
from shuangfang.core.events import published
from shuangfang.core.models import AuditEntry
from shuangfang.monitoring.devices import register_device
from shuangfang.monitoring.evaluation import Run
from shuangfang.monitoring.ingestion import ingest
from shuangfang.monitoring.models import Alarm, Reading
from shuangfang.monitoring.mqtt import SYS_DROPPED, Held, Listener, topic_for

from .broker import make_broker
from .conftest import T0, make_kit, telemetry
from .test_mqtt_hardening import DEVICE_PW, LISTENER, LISTENER_PW, drain, message, publisher

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("mosquitto") is None, reason="needs the mosquitto binary"),
]


@pytest.fixture
def broker(tmp_path):
    b = make_broker(tmp_path / "mosquitto", {LISTENER: LISTENER_PW, "EL-0001": DEVICE_PW})
    yield b
    b.stop()


def _listener(b, root: str, **kwargs) -> Listener:
    lst = Listener(root=root, url=b.url(LISTENER, LISTENER_PW), flush_ms=20, group="sf-burst", **kwargs)
    lst.start()
    assert lst.connected.wait(5), b.log[-2000:]
    time.sleep(0.3)  # SUBACK
    return lst


def test_a_burst_beyond_the_receive_maximum_waits_on_the_broker_and_nothing_is_lost(world, broker, settings):
    """2,000 messages published while the listener is busy elsewhere: the broker sends it no more
    than its Receive Maximum (50 here) unacknowledged messages and queues the rest; the listener,
    once it processes, stores all 10,000 readings, once each."""
    settings.MONITORING_DEVICE_MSGS_PER_MINUTE = 100_000
    settings.MQTT_RECEIVE_MAXIMUM = 50
    kit = make_kit(world)
    root = "sfburst/a"
    lst = _listener(broker, root)
    try:
        assert lst.receive_maximum == 50
        pub = publisher(broker)
        topic = topic_for(kit.meter, root)
        n = 2000
        infos = [pub.publish(topic, message(i), qos=1) for i in range(n)]
        for info in infos:
            info.wait_for_publish(10)
        assert all(info.is_published() for info in infos)
        pub.loop_stop()
        time.sleep(0.5)
        # Flow control: what the listener holds is bounded; the broker keeps the rest.
        assert 0 < lst.inbox.qsize() <= 50
        held = lst.inbox.queue[0]
        assert isinstance(held, Held) and held.payload.startswith(b"{")
        drain(lst, lambda: Reading.objects.filter(device=kit.meter).count() >= 5 * n, timeout=60)
    finally:
        lst.stop()
    readings = Reading.objects.filter(device=kit.meter)
    assert readings.count() == 5 * n
    assert readings.values("ts").distinct().count() == n
    assert lst.stats.received == n
    assert lst.stats.broker_dropped == 0


def _mosquitto_version() -> str:
    out = subprocess.run(["mosquitto", "-h"], capture_output=True, text=True, check=False)  # noqa: S607
    return (
        (out.stdout + out.stderr).split("version", 1)[-1].split()[0]
        if "version" in out.stdout + out.stderr
        else ""
    )


def test_the_inbox_stays_within_the_receive_maximum_while_a_burst_drains(world, broker, settings):
    """The broker should send no more than the Receive Maximum unacknowledged, but Mosquitto 2.0.11
    sends a whole window of queued messages for each acknowledgement: once the listener acknowledges
    its first batch, the rest of the burst comes at once (in the bench: 391 MB and keepalive pings
    lost behind it). The listener holds no more than the Receive Maximum anyway: the network thread
    waits for room, and the broker keeps the rest. All is stored, once."""
    settings.MONITORING_DEVICE_MSGS_PER_MINUTE = 100_000
    settings.MQTT_RECEIVE_MAXIMUM = 50
    kit = make_kit(world)
    root = "sfburst/d"
    sizes: list[int] = []
    holder: list[Listener] = []
    lst = _listener(broker, root, on_batch=lambda batch, outcome: sizes.append(holder[0].inbox.qsize()))
    holder.append(lst)
    try:
        pub = publisher(broker)
        topic = topic_for(kit.meter, root)
        n = 2000
        infos = [pub.publish(topic, message(i), qos=1) for i in range(n)]
        for info in infos:
            info.wait_for_publish(10)
        pub.loop_stop()
        time.sleep(0.5)
        drain(lst, lambda: Reading.objects.filter(device=kit.meter).count() >= 5 * n, timeout=60)
    finally:
        lst.stop()
    assert Reading.objects.filter(device=kit.meter).count() == 5 * n
    assert lst.stats.received == n
    assert sizes and max(sizes) <= 50
    if _mosquitto_version() == "2.0.11":  # the broker's flood did come, and was held back
        assert lst.stats.inbox_waits > 0


def _waiting_for_a_pong(client: mqtt.Client, *, ping_age: float, quiet_for: float) -> list[object]:
    """A client as paho leaves it ``ping_age`` s after a PINGREQ whose PINGRESP has not come, the
    broker having sent nothing for ``quiet_for`` s; returns the reasons it is disconnected with."""
    from paho.mqtt.enums import _ConnectionState

    ours, theirs = socket.socketpair()
    now = mqtt.time_func()
    client._sock = ours
    client._state = _ConnectionState.MQTT_CS_CONNECTED
    client._keepalive = 15
    client._ping_t = now - ping_age
    client._last_msg_out = now - 1  # our acknowledgements go out
    client._last_bytes_received = now - quiet_for
    reasons: list[object] = []
    client.on_disconnect = lambda c, u, flags, reason, props: reasons.append(reason)
    client.loop_misc()
    theirs.close()
    if client._sock is not None:
        client._sock.close()
    return reasons


def test_a_ping_answered_late_behind_a_backlog_does_not_drop_a_listener_still_receiving():
    """The broker answers a ping after all it has queued for us, and in a burst's drain that is the
    whole backlog (Mosquitto 2.0.11 queues it at once): the answer came minutes late. paho drops
    the connection a keepalive after the ping although messages keep coming (in the bench twice a
    burst, each time to be sent ≈ 690,000 messages again); the listener's client counts bytes from
    the broker as signs of life, and still drops a connection on which nothing came."""
    from shuangfang.monitoring.mqtt import PatientClient

    def client(cls: type[mqtt.Client]) -> mqtt.Client:
        return cls(callback_api_version=mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)

    assert _waiting_for_a_pong(client(mqtt.Client), ping_age=16, quiet_for=0.01)  # paho alone
    assert not _waiting_for_a_pong(client(PatientClient), ping_age=16, quiet_for=0.01)
    assert not _waiting_for_a_pong(client(PatientClient), ping_age=300, quiet_for=14)
    # Nothing from the broker for a keepalive after the ping: dropped, as ever.
    assert _waiting_for_a_pong(client(PatientClient), ping_age=16, quiet_for=16)


def _sys_message(value: int) -> mqtt.MQTTMessage:
    m = mqtt.MQTTMessage(topic=SYS_DROPPED.encode())
    m.payload = str(value).encode()
    return m


def test_the_brokers_dropped_counter_is_watched_and_the_operators_told_once_an_hour(world):
    lst = Listener(root="sfburst/b", host="127.0.0.1", port=1)  # never connected
    lst._on_message(None, None, _sys_message(7))  # the broker's count when we start: the baseline
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 5, tzinfo=dt.UTC), tick=False) as clock:
        lst.watch_drops()
        assert not published("ops.broker_dropped")
        lst._on_message(None, None, _sys_message(19))
        lst.watch_drops()
        told = published("ops.broker_dropped")
        assert len(told) == 1
        assert "12" in told[0][1]["title"] and told[0][1]["severity"] == "critical"
        assert lst.stats.broker_dropped == 12
        lst._on_message(None, None, _sys_message(25))
        clock.shift(dt.timedelta(minutes=20))
        lst.watch_drops()  # the same hour: not told again
        assert len(published("ops.broker_dropped")) == 1
        clock.shift(dt.timedelta(hours=1))
        lst.watch_drops()
        assert len(published("ops.broker_dropped")) == 2
        assert lst.stats.broker_dropped == 18
        lst._on_message(None, None, _sys_message(3))  # the broker restarted: its count starts again
        lst.watch_drops()
        assert lst.broker_dropped == 3 and len(published("ops.broker_dropped")) == 2
    assert lst.inbox.empty()  # $SYS messages are never ingested


def test_a_lone_message_is_processed_without_waiting_for_the_batch_window(world):
    """A batch goes as soon as the inbox is empty: with a 10 s window a single message is still
    processed at once."""
    kit = make_kit(world)
    root = "sfburst/c"
    lst = Listener(root=root, host="127.0.0.1", port=1, flush_ms=10_000)  # never connected
    lst.inbox.put(Held(0, 0, topic_for(kit.meter, root), message(1)))
    t0 = time.monotonic()
    assert lst.step(wait=0.01) == 1
    assert time.monotonic() - t0 < 5  # far below the 10 s window (not a timing figure: a bound)
    assert Reading.objects.filter(device=kit.meter).count() == 5


def test_a_storms_alarms_are_committed_together(world, monkeypatch):
    """Twenty devices cross a threshold in one batch: their alarms, audit rows and events are written
    in one transaction, not one each (the worker's drain, immediate in tests, is kept out of the
    count)."""
    kit = make_kit(world)
    meters = [kit.meter]
    for i in range(19):
        device, _token = register_device(
            actor=world.users["safety_officer"],
            organization=world.inst_a,
            kind="electricity",
            code=f"EL-S{i:03d}",
            name=f"配电箱 {i}",
        )
        meters.append(device)
    items = [(m, telemetry(m.code, T0, arc_count_1s=20)) for m in meters]
    monkeypatch.setattr(outbox, "kick", lambda: None)
    with CaptureQueriesContext(connection) as ctx:
        outcome = ingest(items, transport="mqtt", now=T0 + dt.timedelta(minutes=10))
    assert len(outcome.opened) == 20
    assert Alarm.objects.filter(device__in=meters).count() == 20
    assert AuditEntry.objects.filter(action="alarm.open").count() == 20
    assert len(published("alarm.opened")) == 20
    begins = [q for q in ctx.captured_queries if q["sql"].upper().startswith("BEGIN")]
    # The readings' transaction and the alarms' one; never one per alarm.
    assert len(begins) <= 2


def test_a_storm_alarm_another_listener_opened_meanwhile_is_counted_on_theirs(world, monkeypatch):
    """The storm's one transaction meets an alarm opened a moment ago by another listener: it is
    undone and the openings are committed one by one; the repeat is counted on the existing alarm."""
    kit = make_kit(world)
    meters = [kit.meter]
    for i in range(2):
        device, _token = register_device(
            actor=world.users["safety_officer"],
            organization=world.inst_a,
            kind="electricity",
            code=f"EL-R{i:03d}",
            name=f"配电箱 R{i}",
        )
        meters.append(device)
    original = Run.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        # Another listener commits its alarm for the second meter after this batch looked.
        Alarm.objects.create(
            organization_id=meters[1].organization_id,
            device=meters[1],
            alarm_type="arc_fault",
            category="alarm",
            severity="critical",
            opened_at=T0,
            last_seen_at=T0,
        )

    monkeypatch.setattr(Run, "__init__", init)
    items = [(m, telemetry(m.code, T0, arc_count_1s=20)) for m in meters]
    outcome = ingest(items, transport="mqtt", now=T0 + dt.timedelta(minutes=10))
    assert len(outcome.opened) == 2
    assert Alarm.objects.filter(device__in=meters).count() == 3
    assert Alarm.objects.get(device=meters[1]).count == 2
    assert len(published("alarm.opened")) == 2
    assert AuditEntry.objects.filter(action="alarm.open").count() == 2

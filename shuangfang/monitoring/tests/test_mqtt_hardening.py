"""The listener against a Mosquitto of the test's own, started from the shipped configuration
(``deploy/mosquitto/shuangfang.conf``, see ``broker.py``): a listener slot down for longer than the
old session expiry (30 s) while more is published than the old queue held (1,000) loses nothing;
the listener reaches a broker that requires a password (and TLS); wrong credentials give a clear
error and a slow retry, not a crash or a reconnect storm."""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import shutil
import time

import paho.mqtt.client as mqtt
import pytest
from django.utils import timezone
from paho.mqtt.enums import CallbackAPIVersion

from shuangfang.monitoring.models import Reading
from shuangfang.monitoring.mqtt import SLOT_SESSION_EXPIRY, Listener, broker_config, topic_for

from .broker import HOST, Broker, make_broker, make_tls_files, shipped_settings
from .conftest import make_kit

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("mosquitto") is None, reason="needs the mosquitto binary"),
]
LISTENER, LISTENER_PW = "shuangfang-listener", "listener pw: ünïcode/@"
DEVICE_PW = "device-pw"


@pytest.fixture
def broker(tmp_path):
    b = make_broker(tmp_path / "mosquitto", {LISTENER: LISTENER_PW, "EL-0001": DEVICE_PW})
    yield b
    b.stop()


def publisher(b: Broker, *, port: int | None = None) -> mqtt.Client:
    c = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id=f"pub-{secrets.token_hex(3)}")
    c.username_pw_set("EL-0001", DEVICE_PW)
    c.max_inflight_messages_set(100)
    c.connect(HOST, port or b.port)
    c.loop_start()
    return c


BASE = timezone.now().replace(microsecond=0) - dt.timedelta(hours=2)


def message(i: int) -> bytes:
    """One electricity message of 5 readings (normal values), ``seq`` ``i``, 1 s apart."""
    return json.dumps(
        {
            "device_id": "EL-0001",
            "msg_id": str(i),
            "seq": i,
            "ts": (BASE + dt.timedelta(seconds=i)).isoformat(),
            "channels": {
                "residual_current_ma": 40,
                "temp_c": {"L1": 35.0, "L2": 35.5, "L3": 36.0},
                "voltage_v": {"L1": 221.0},
            },
        }
    ).encode()


def slot(b: Broker, client_id: str, root: str, **kwargs) -> Listener:
    lst = Listener(
        root=root,
        client_id=client_id,
        url=b.url(LISTENER, LISTENER_PW),
        flush_ms=20,
        group="sf-ingest",
        **kwargs,
    )
    lst.start()
    assert lst.connected.wait(5), b.log[-2000:]
    time.sleep(0.3)  # SUBACK
    return lst


def crash(lst: Listener) -> None:
    """Die like a killed process: the socket closes without a DISCONNECT, nothing is acknowledged."""
    lst.stopping.set()
    lst.client.loop_stop()
    sock = lst.client.socket()
    assert sock is not None
    sock.close()


def drain(lst: Listener, until, timeout: float) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        lst.step(wait=0.05)
        if until():
            return
    raise AssertionError(f"timed out; stats {lst.stats}")


def test_the_shipped_configuration_sizes_the_queue_for_a_five_minute_outage():
    conf = {line.split()[0]: line.split()[1] for line in shipped_settings()}
    # 5 minutes at 1,000 readings/s in messages of 5 readings: 60,000 messages; the queue holds more.
    assert int(conf["max_queued_messages"]) >= 5 * 60 * 1000 // 5
    assert int(conf["max_queued_bytes"]) >= 60_000 * 600
    assert conf["persistence"] == "true" and conf["allow_anonymous"] == "false"
    # A listener slot (fixed client id) keeps its session well beyond the 5 minutes.
    assert SLOT_SESSION_EXPIRY >= 5 * 60


def test_a_listener_down_35_s_with_3000_messages_published_loses_nothing(world, broker, settings):
    """The reported outage: the listener killed 35 s (longer than the old 30 s session), 3,000 QoS 1
    messages published meanwhile (three times Mosquitto's default queue of 1,000, which lost 842),
    then a new process takes the same slot (client id): all 15,000 readings stored, once each."""
    settings.MONITORING_DEVICE_MSGS_PER_MINUTE = 100_000
    kit = make_kit(world)
    root = f"sftest/{secrets.token_hex(4)}"
    first = slot(broker, "sf-listener-1", root)
    assert first.session_expiry == SLOT_SESSION_EXPIRY
    crash(first)
    died = time.monotonic()
    pub = publisher(broker)
    topic = topic_for(kit.meter, root)
    n = 3000
    infos = [pub.publish(topic, message(i), qos=1) for i in range(n)]
    for info in infos:
        info.wait_for_publish(10)
    assert all(info.is_published() for info in infos)  # the broker acknowledged every one
    pub.loop_stop()
    time.sleep(max(0.0, 35 - (time.monotonic() - died)))
    second = slot(broker, "sf-listener-1", root)  # the restarted process, same slot
    try:
        drain(second, lambda: Reading.objects.filter(device=kit.meter).count() >= 5 * n, timeout=20)
        end = time.monotonic() + 0.5  # nothing more (no duplicate beyond the stored set)
        while time.monotonic() < end:
            second.step(wait=0.05)
    finally:
        second.stop()
    readings = Reading.objects.filter(device=kit.meter)
    assert readings.count() == 5 * n
    assert readings.values("ts").distinct().count() == n
    assert second.stats.received >= n


def test_the_listener_logs_in_to_a_broker_that_requires_a_password(world, broker):
    kit = make_kit(world)
    root = f"sftest/{secrets.token_hex(4)}"
    lst = slot(broker, f"sf-auth-{secrets.token_hex(3)}", root)
    try:
        assert lst.broker.username == LISTENER and lst.broker.password == LISTENER_PW
        pub = publisher(broker)
        pub.publish(topic_for(kit.meter, root), message(1), qos=1).wait_for_publish(5)
        pub.loop_stop()
        drain(lst, lambda: Reading.objects.filter(device=kit.meter).count() == 5, timeout=10)
    finally:
        lst.stop()


@pytest.mark.parametrize("who", ["wrong password", "no credentials"])
def test_wrong_credentials_give_a_clear_error_and_a_slow_retry(world, broker, caplog, who):
    url = broker.url(LISTENER, "wrong") if who == "wrong password" else broker.url()
    lst = Listener(root="sftest/x", client_id=f"sf-bad-{secrets.token_hex(3)}", url=url)
    with caplog.at_level(logging.ERROR, logger="shuangfang.monitoring.mqtt"):
        stats = lst.run(duration=4)
    assert stats.connects == 0 and not lst.connected.is_set()
    assert stats.refused == 1  # refused once, next try in 60 s: no reconnect storm, no crash
    assert lst.auth_error in ("Bad user name or password", "Not authorized")
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "refused the listener" in errors[0] and "MQTT_URL" in errors[0]
    assert "wrong" not in errors[0]  # the password is not logged


def test_the_listener_reaches_a_broker_over_tls_with_a_private_ca(world, tmp_path, settings):
    tls = make_tls_files(tmp_path / "tls")
    b = make_broker(tmp_path / "mosquitto", {LISTENER: LISTENER_PW, "EL-0001": DEVICE_PW}, tls=tls)
    try:
        kit = make_kit(world)
        settings.MQTT_CA_FILE = str(tls.ca)
        root = f"sftest/{secrets.token_hex(4)}"
        lst = Listener(
            root=root, client_id=f"sf-tls-{secrets.token_hex(3)}", url=b.url(LISTENER, LISTENER_PW, tls=True)
        )
        assert lst.broker.tls and lst.port == b.tls_port
        lst.start()
        assert lst.connected.wait(10), b.log[-2000:]
        time.sleep(0.3)
        pub = publisher(b)
        pub.publish(topic_for(kit.meter, root), message(1), qos=1).wait_for_publish(5)
        pub.loop_stop()
        drain(lst, lambda: Reading.objects.filter(device=kit.meter).count() == 5, timeout=10)
        lst.stop()
    finally:
        b.stop()


def test_a_broker_certificate_from_another_ca_is_refused(world, tmp_path, settings):
    tls = make_tls_files(tmp_path / "tls")
    other = make_tls_files(tmp_path / "other")
    b = make_broker(tmp_path / "mosquitto", {LISTENER: LISTENER_PW}, tls=tls)
    try:
        settings.MQTT_CA_FILE = str(other.ca)
        lst = Listener(
            root="sftest/x",
            client_id=f"sf-tls-{secrets.token_hex(3)}",
            url=b.url(LISTENER, LISTENER_PW, tls=True),
        )
        stats = lst.run(duration=2)
        assert stats.connects == 0
    finally:
        b.stop()


def test_the_url_carries_user_password_and_tls(settings):
    settings.MQTT_URL = "mqtts://sf%40listener:p%3Ass%40w@broker.example:8884"
    settings.MQTT_PASSWORD = ""
    c = broker_config()
    assert (c.host, c.port, c.username, c.password, c.tls) == (
        "broker.example",
        8884,
        "sf@listener",
        "p:ss@w",
        True,
    )
    assert "p:ss" not in c.url
    assert broker_config("mqtts://h").port == 8883 and broker_config("mqtt://h").port == 1883
    settings.MQTT_PASSWORD = "from-env"
    assert broker_config("mqtt://u:x@h").password == "from-env"
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        broker_config("http://h")
    settings.MQTT_CA_FILE = "/nonexistent/ca.crt"
    with pytest.raises(ImproperlyConfigured):
        broker_config("mqtts://h")

"""The listener is not tied to Mosquitto or to MQTT 5: against RabbitMQ's MQTT plugin (another
broker implementation, MQTT 3.1.1 only, on 127.0.0.1:1884; ``.ci/run`` enables it) a listener with
``protocol="3.1.1"`` stores every reading published at QoS 1, and a fixed-id listener's persistent
session keeps what arrives while it is away. With CI set the test fails if the broker is missing;
otherwise it skips."""

from __future__ import annotations

import os
import secrets
import socket
import time

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from shuangfang.monitoring.models import Reading
from shuangfang.monitoring.mqtt import Listener, topic_for

from .conftest import make_kit
from .test_mqtt import pump, reading

pytestmark = pytest.mark.django_db(transaction=True)
HOST, PORT = "127.0.0.1", int(os.environ.get("RABBITMQ_MQTT_PORT", "1884"))


@pytest.fixture(autouse=True)
def _rabbitmq_mqtt():
    try:
        socket.create_connection((HOST, PORT), timeout=0.5).close()
    except OSError:
        if os.environ.get("CI"):
            pytest.fail(f"RabbitMQ's MQTT plugin is not listening on {HOST}:{PORT} (.ci/run enables it)")
        pytest.skip(f"RabbitMQ's MQTT plugin is not listening on {HOST}:{PORT}")


def _publisher() -> mqtt.Client:
    c = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id=f"sftest-pub-{secrets.token_hex(3)}",
        protocol=mqtt.MQTTv311,
    )
    c.username_pw_set("guest", "guest")
    c.connect(HOST, PORT)
    c.loop_start()
    return c


def _listener(root: str, client_id: str | None = None) -> Listener:
    lst = Listener(
        root=root,
        client_id=client_id,
        url=f"mqtt://guest:guest@{HOST}:{PORT}",
        protocol="3.1.1",
        shared=False,  # RabbitMQ has no shared subscriptions: one listener per broker queue
        flush_ms=20,
    )
    lst.start()
    assert lst.connected.wait(10), "the listener did not connect to RabbitMQ"
    time.sleep(0.3)  # SUBACK
    return lst


def test_readings_through_rabbitmq_mqtt_311_are_all_stored(world):
    kit = make_kit(world)
    root = f"sfrmq/{secrets.token_hex(4)}"
    lst = _listener(root)
    try:
        pub = _publisher()
        topic = topic_for(kit.meter, root)
        for i in range(60):
            pub.publish(topic, reading("EL-0001", i, 5 + i % 3, msg_id=f"r{i}"), qos=1).wait_for_publish(5)
        pump(lst, lambda: Reading.objects.filter(device=kit.meter).count() == 60, timeout=20)
        pub.loop_stop()
    finally:
        lst.stop()
    assert Reading.objects.filter(device=kit.meter).count() == 60


def test_a_fixed_id_listener_gets_what_arrived_while_it_was_away(world):
    kit = make_kit(world)
    root = f"sfrmq/{secrets.token_hex(4)}"
    slot = f"sftest-slot-{secrets.token_hex(3)}"
    first = _listener(root, client_id=slot)
    first.stop()  # a persistent session (clean_session false) stays on the broker
    pub = _publisher()
    topic = topic_for(kit.meter, root)
    for i in range(20):
        pub.publish(topic, reading("EL-0001", i, 7, msg_id=f"a{i}"), qos=1).wait_for_publish(5)
    pub.loop_stop()
    back = _listener(root, client_id=slot)
    try:
        pump(back, lambda: Reading.objects.filter(device=kit.meter).count() == 20, timeout=20)
    finally:
        back.stop()
        # End the persistent session so the broker drops its queue.
        c = mqtt.Client(
            callback_api_version=CallbackAPIVersion.VERSION2, client_id=slot, protocol=mqtt.MQTTv311
        )
        c.username_pw_set("guest", "guest")
        c.connect(HOST, PORT)
        c.disconnect()

"""Per-device MQTT credentials and topic ACLs (issue 22): the files the product writes, loaded by a
private Mosquitto on another port, let a device publish to its own topic only; another device's
credentials are refused there, and a wrong password cannot connect."""

from __future__ import annotations

import base64
import getpass
import hashlib
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from shuangfang.monitoring.broker_acl import broker_files, device_password, mosquitto_hash
from shuangfang.monitoring.devices import register_device
from shuangfang.monitoring.mqtt import topic_for

pytestmark = pytest.mark.django_db

MOSQUITTO = "/usr/sbin/mosquitto"
ROOT = "sf-acl-test"


def test_the_hash_is_pbkdf2_sha512_in_mosquittos_format():
    salt = b"0123456789ab"
    line = mosquitto_hash("pw", salt)
    want = base64.b64encode(hashlib.pbkdf2_hmac("sha512", b"pw", salt, 101)).decode()
    assert line == f"$7$101${base64.b64encode(salt).decode()}${want}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def devices(world):
    officer = world.users["safety_officer"]
    a, _ta = register_device(
        actor=officer, organization=world.inst_a, kind="smoke", code="ACL-A", name="烟感A"
    )
    b, _tb = register_device(
        actor=officer, organization=world.inst_a, kind="smoke", code="ACL-B", name="烟感B"
    )
    return a, b


@pytest.fixture
def broker(devices, tmp_path: Path):
    if not Path(MOSQUITTO).exists() or shutil.which("mosquitto_sub") is None:
        pytest.skip("mosquitto is not installed")
    passwd, acl = broker_files(devices, listener_user="listener", listener_password="listen-pw", root=ROOT)
    (tmp_path / "passwd").write_text(passwd)
    (tmp_path / "acl").write_text(acl)
    port = _free_port()
    (tmp_path / "mosquitto.conf").write_text(
        # Started as root, Mosquitto would drop to the "mosquitto" user, who cannot read tmp_path.
        f"user {getpass.getuser()}\nlistener {port} 127.0.0.1\nallow_anonymous false\npersistence false\n"
        f"password_file {tmp_path / 'passwd'}\nacl_file {tmp_path / 'acl'}\n"
    )
    proc = subprocess.Popen(
        [MOSQUITTO, "-c", str(tmp_path / "mosquitto.conf")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    for _ in range(50):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    if proc.poll() is not None:
        pytest.fail(proc.stdout.read().decode() if proc.stdout else "mosquitto did not start")
    yield port
    proc.terminate()
    proc.wait(timeout=5)


def _client(port: int, user: str, password: str) -> tuple[mqtt.Client, int]:
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"t-{user}-{time.monotonic_ns()}")
    c.username_pw_set(user, password)
    done = threading.Event()
    result: dict[str, int] = {}

    def on_connect(client, userdata, flags, reason_code, properties):
        result["rc"] = reason_code.value
        done.set()

    c.on_connect = on_connect
    c.connect("127.0.0.1", port)
    c.loop_start()
    done.wait(5)
    return c, result.get("rc", -1)


def test_a_device_may_publish_only_to_its_own_topic(broker, devices):
    a, b = devices
    listener, rc = _client(broker, "listener", "listen-pw")
    assert rc == 0
    got: list[tuple[str, bytes]] = []
    subscribed = threading.Event()
    listener.on_message = lambda c, u, m: got.append((m.topic, bytes(m.payload)))
    listener.on_subscribe = lambda *args: subscribed.set()
    listener.subscribe(f"{ROOT}/#", qos=1)
    assert subscribed.wait(5)

    as_b, rc = _client(broker, b.code, device_password(b))
    assert rc == 0
    as_b.publish(topic_for(a, ROOT), b'{"forged": true}', qos=1).wait_for_publish(5)  # A's topic
    as_b.publish(topic_for(b, ROOT), b'{"own": true}', qos=1).wait_for_publish(5)
    deadline = time.monotonic() + 5
    while not got and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # a forged message, had it passed, would have arrived before B's own
    assert got == [(topic_for(b, ROOT), b'{"own": true}')]

    # B's user name with A's password, or A's name with B's password: not even connected.
    for user, password in ((b.code, device_password(a)), (a.code, device_password(b))):
        c, rc = _client(broker, user, password)
        assert rc != 0
        c.loop_stop()
    for c in (listener, as_b):
        c.loop_stop()
        c.disconnect()


def test_the_command_writes_both_files(devices, tmp_path, settings):
    from django.core.management import call_command

    settings.MQTT_PASSWORD = "listen-pw"
    call_command("mqtt_broker_files", "--out", str(tmp_path))
    acl = (tmp_path / "acl").read_text()
    assert f"user ACL-A\ntopic write {topic_for(devices[0])}" in acl
    assert (tmp_path / "passwd").read_text().count("$7$101$") == 3

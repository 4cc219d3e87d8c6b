"""Vendor payload adapters (issue 22): each fixture maps to canonical payloads that validate; a
message with a missing field is refused with the field named; a device with an adapter posts its
vendor's format to the ingest endpoint and the device page names the format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client

from shuangfang.monitoring.adapters import AdapterError, adapt
from shuangfang.monitoring.models import Device, Reading, Rejection
from shuangfang.monitoring.schemas import Payload

FIXTURES = Path(__file__).parent / "fixtures" / "vendor"


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def test_gbt26875_component_status_analog_and_heartbeat():
    (fire,) = adapt("gbt26875_json", load("gbt26875_smoke_fire.json"))
    p = Payload.model_validate(fire)
    assert (p.type, p.code, p.device_id, p.channel) == ("alarm", "smoke", "GW-0001", "1-023")
    assert p.ts.isoformat() == "2026-09-19T14:30:05+08:00"  # BCD 05 30 14 19 09 26
    (analog,) = adapt("gbt26875_json", load("gbt26875_analog.json"))
    assert Payload.model_validate(analog).channels == {"temp_c": 36.5}
    (beat,) = adapt("gbt26875_json", load("gbt26875_heartbeat.json"))
    assert Payload.model_validate(beat).type == "heartbeat"


def test_cloud_push_realtime_and_alarm():
    (rt,) = adapt("cloud_push", load("cloud_push_realtime.json"))
    p = Payload.model_validate(rt)
    assert p.channels["residual_current_ma"] == 42
    assert p.channels["temp_c"] == {"L1": 36.5, "L2": 35.9, "L3": 37.1, "N": 34.0}
    assert "energy" not in json.dumps(rt)  # fields the product does not store are left out
    (alarm,) = adapt("cloud_push", load("cloud_push_alarm.json"))
    a = Payload.model_validate(alarm)
    assert (a.type, a.code, a.value, a.threshold) == ("alarm", "residual_current", 320, 300)


@pytest.mark.parametrize(
    ("adapter", "fixture", "drop", "reason"),
    [
        ("gbt26875_json", "gbt26875_smoke_fire.json", "source", "missing field: source"),
        ("gbt26875_json", "gbt26875_smoke_fire.json", "time", "missing field: time"),
        ("cloud_push", "cloud_push_realtime.json", "deviceSn", "missing field: deviceSn"),
        ("cloud_push", "cloud_push_alarm.json", "alarmType", "missing field: alarmType"),
    ],
)
def test_a_missing_field_is_named(adapter, fixture, drop, reason):
    raw = load(fixture)
    del raw[drop]
    with pytest.raises(AdapterError, match=reason):
        adapt(adapter, raw)


def test_bad_values_are_refused():
    raw = load("gbt26875_smoke_fire.json")
    with pytest.raises(AdapterError, match="not a date"):
        adapt("gbt26875_json", {**raw, "time": "995914329926"})
    with pytest.raises(AdapterError, match="not 2"):
        adapt("gbt26875_json", {**raw, "command": 4})
    with pytest.raises(AdapterError, match="not mapped"):
        adapt("cloud_push", {**load("cloud_push_alarm.json"), "alarmType": "meteor"})


@pytest.mark.django_db
def test_a_device_posts_its_vendors_format(kit, login, world):
    from django.urls import reverse

    Device.objects.filter(pk=kit.meter.pk).update(adapter="cloud_push")
    raw = load("cloud_push_realtime.json")
    from django.utils import timezone

    raw["timestamp"] = int(timezone.now().timestamp() * 1000)
    r = Client().post(
        "/api/v1/monitoring/ingest", json.dumps(raw), content_type="application/json",
        headers={"Authorization": f"Bearer {kit.meter_token}"},
    )  # fmt: skip
    assert r.status_code == 200, r.content
    assert Reading.objects.filter(device=kit.meter, channel="residual_current_ma").exists()
    del raw["deviceSn"]
    r = Client().post(
        "/api/v1/monitoring/ingest", json.dumps(raw), content_type="application/json",
        headers={"Authorization": f"Bearer {kit.meter_token}"},
    )  # fmt: skip
    assert r.status_code == 400 and "deviceSn" in r.json()["detail"]
    assert Rejection.objects.filter(device=kit.meter).exists()
    page = login(world.users["safety_officer"]).get(reverse("monitoring:device", args=[kit.meter.uuid]))
    assert "device-adapter" in page.content.decode()


# --- The MQTT path (issue 22): the listener decodes with the device's adapter ----------------------


def test_for_mqtt_maps_a_vendor_body_and_merges_readings_of_one_instant():
    from types import SimpleNamespace

    from shuangfang.monitoring.adapters import for_mqtt

    canonical = {"device_id": "X", "ts": "2026-09-19T14:30:05+08:00"}
    assert for_mqtt(SimpleNamespace(adapter="canonical"), json.dumps(canonical).encode()) == canonical
    gw = SimpleNamespace(adapter="gbt26875_json")
    two = load("gbt26875_analog.json")
    two["unit"]["objects"].append({**two["unit"]["objects"][0], "analog_type": 6, "value": 12})
    merged = Payload.model_validate(for_mqtt(gw, json.dumps(two).encode()))
    assert merged.channels == {"temp_c": 36.5, "gas_lel_pct": 12}
    fires = load("gbt26875_smoke_fire.json")
    fires["unit"]["objects"].append(fires["unit"]["objects"][0])
    with pytest.raises(AdapterError, match="holds 2 events"):
        for_mqtt(gw, json.dumps(fires).encode())
    bad = load("gbt26875_smoke_fire.json")
    del bad["source"]
    with pytest.raises(AdapterError, match="gbt26875_json message cannot be read: missing field: source"):
        for_mqtt(gw, json.dumps(bad).encode())


@pytest.mark.django_db(transaction=True)
def test_a_device_publishes_its_vendors_format_over_mqtt(world):
    """Against the machine's Mosquitto: a cloud_push body on the device's topic becomes readings;
    one without its device number is refused with the field named, and the listener carries on."""
    import secrets
    import socket
    import time

    import paho.mqtt.client as mqtt
    from django.utils import timezone
    from paho.mqtt.enums import CallbackAPIVersion

    from shuangfang.monitoring.mqtt import Listener, topic_for

    from .conftest import make_kit

    try:
        socket.create_connection(("127.0.0.1", 1883), timeout=0.5).close()
    except OSError:  # pragma: no cover
        pytest.skip("Mosquitto is not running on 127.0.0.1:1883")
    kit = make_kit(world)
    Device.objects.filter(pk=kit.meter.pk).update(adapter="cloud_push")
    root, tag = f"sftest/{secrets.token_hex(4)}", secrets.token_hex(3)
    lst = Listener(
        root=root, group=f"g{tag}", client_id=f"sftest-vendor-{tag}", flush_ms=20, host="127.0.0.1"
    )
    lst.start()
    assert lst.connected.wait(5)
    time.sleep(0.2)  # SUBACK
    pub = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id=f"sftest-pub-{tag}")
    pub.connect("127.0.0.1", 1883)
    pub.loop_start()
    try:
        raw = load("cloud_push_realtime.json")
        raw["timestamp"] = int(timezone.now().timestamp() * 1000)
        missing = {k: v for k, v in raw.items() if k != "deviceSn"}
        topic = topic_for(kit.meter, root)
        pub.publish(topic, json.dumps(missing), qos=1).wait_for_publish(5)
        pub.publish(topic, json.dumps(raw), qos=1).wait_for_publish(5)
        end = time.monotonic() + 10
        while time.monotonic() < end and not Reading.objects.filter(device=kit.meter).exists():
            lst.step(wait=0.05)
    finally:
        pub.loop_stop()
        lst.stop()
    assert Reading.objects.filter(device=kit.meter, channel="residual_current_ma").exists()
    refused = Rejection.objects.filter(device=kit.meter, transport="mqtt").first()
    assert refused is not None and "deviceSn" in refused.detail

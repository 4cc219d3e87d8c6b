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

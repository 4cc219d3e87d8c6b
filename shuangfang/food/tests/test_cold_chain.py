"""The cold chain end to end: a refrigerator sensor and a freezer sensor of the kitchen (bound to
its risk point and to the food app's refrigerators) publish real MQTT readings to the broker on this
machine; the monitoring listener stores them, the cold-chain rules open alarms through the normal
engine, the outbox turns each into an incident and a hazard, and the kitchen's figures count them.
Topics under ``test-food/`` (the broker is shared)."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import socket
import time

import paho.mqtt.client as mqtt
import pytest
from django.utils import timezone
from paho.mqtt.enums import CallbackAPIVersion

from shuangfang.core import outbox
from shuangfang.core.events import published
from shuangfang.food import services, stats
from shuangfang.food.choices import FridgeKind
from shuangfang.hazards.models import Hazard
from shuangfang.monitoring.devices import register_device
from shuangfang.monitoring.models import Alarm, Reading
from shuangfang.monitoring.mqtt import Listener, topic_for
from shuangfang.monitoring.rules import invalidate_rules
from shuangfang.notifications.models import Incident
from shuangfang.risks import services as risks

from .helpers import kitchen_a

pytestmark = pytest.mark.django_db(transaction=True)
HOST, PORT = "127.0.0.1", 1883


def _broker_up() -> bool:
    try:
        socket.create_connection((HOST, PORT), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.fixture
def listener():
    if not _broker_up():  # pragma: no cover
        pytest.skip("Mosquitto is not running on 127.0.0.1:1883")
    tag = secrets.token_hex(3)
    root = f"test-food/{tag}"
    lst = Listener(
        root=root, group=f"food{tag}", client_id=f"test-food-{tag}", flush_ms=20, host=HOST, port=PORT
    )
    lst.start()
    assert lst.connected.wait(5)
    time.sleep(0.2)
    yield lst
    lst.stop()
    c = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2, client_id=lst.client_id, clean_session=True
    )
    c.connect(HOST, PORT)
    c.disconnect()


def _pump(lst: Listener, until, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        lst.step(wait=0.05)
        if until():
            return
    raise AssertionError(f"timed out; stats {lst.stats}")


def _reading(code: str, ts: dt.datetime, value: float) -> bytes:
    return json.dumps({"device_id": code, "ts": ts.isoformat(), "channels": {"temp_c": value}}).encode()


def test_fridge_and_freezer_out_of_range_alarm_end_to_end(world, listener, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    officer = world.users["safety_officer"]
    ns = kitchen_a(world, photos=False)
    point = risks.create_risk_point(actor=officer, institution=world.inst_a, name="厨房")
    services.save_kitchen(
        actor=officer, organization=world.inst_a, kitchen=ns.kitchen, name=ns.kitchen.name, risk_point=point
    )
    sensors = {}
    for code, kind, fridge, fkind in (
        ("FR-0001", "fridge_temp", ns.fridge, FridgeKind.SAMPLE),
        ("FZ-0001", "freezer_temp", ns.freezer, FridgeKind.FREEZER),
    ):
        device, _token = register_device(
            actor=officer,
            organization=world.inst_a,
            kind=kind,
            code=code,
            name=fridge.name,
            location="厨房",
            risk_point=point,
        )
        services.save_fridge(
            actor=officer, kitchen=ns.kitchen, fridge=fridge, name=fridge.name, kind=fkind, device=device
        )
        sensors[code] = device
    invalidate_rules()
    pub = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2, client_id=f"test-food-pub-{secrets.token_hex(3)}"
    )
    pub.connect(HOST, PORT)
    pub.loop_start()
    start = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=10)
    series = {"FR-0001": [4.0, 7.9, 8.6, 9.1, 9.4], "FZ-0001": [-18.0, -15.0, -11.5, -10.8, -10.2]}
    for code, values in series.items():
        for i, v in enumerate(values):
            pub.publish(
                topic_for(sensors[code], listener.root),
                _reading(code, start + dt.timedelta(minutes=i), v),
                qos=1,
            ).wait_for_publish(5)
    _pump(listener, lambda: Reading.objects.filter(device__in=sensors.values()).count() == 10)
    _pump(listener, lambda: Alarm.objects.count() == 2)
    pub.loop_stop()

    fridge_alarm = Alarm.objects.get(device=sensors["FR-0001"])
    freezer_alarm = Alarm.objects.get(device=sensors["FZ-0001"])
    assert fridge_alarm.alarm_type == "fridge_too_warm" and fridge_alarm.threshold == 8
    assert freezer_alarm.alarm_type == "freezer_too_warm" and freezer_alarm.threshold == -12
    assert fridge_alarm.rule is not None and "餐饮服务食品安全操作规范" in fridge_alarm.rule.reference
    opened = [p for k, p in published("alarm.opened")]
    assert len(opened) == 2 and all(p["open_hazard"] for p in opened)

    outbox.drain()
    for alarm in (fridge_alarm, freezer_alarm):
        assert Hazard.objects.filter(origin=f"alarm:{alarm.uuid}").count() == 1
        assert Incident.objects.filter(source_uuid=str(alarm.uuid)).count() == 1
    today = timezone.localdate()
    assert stats.cold_chain_alarms(ns.kitchen, today - dt.timedelta(days=1), today) == 2


def test_a_sensor_of_the_wrong_kind_is_refused(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    officer = world.users["safety_officer"]
    ns = kitchen_a(world, photos=False)
    device, _token = register_device(
        actor=officer, organization=world.inst_a, kind="freezer_temp", code="FZ-9", name="冷冻柜探头"
    )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.save_fridge(
            actor=officer,
            kitchen=ns.kitchen,
            fridge=ns.fridge,
            name=ns.fridge.name,
            kind=FridgeKind.SAMPLE,
            device=device,
        )

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from shuangfang.core import events as core_events
from shuangfang.monitoring.devices import register_device
from shuangfang.monitoring.models import Device
from shuangfang.monitoring.rules import ensure_default_rules, invalidate_rules
from shuangfang.monitoring.schemas import Payload

T0 = dt.datetime(2026, 1, 18, 0, 0, tzinfo=dt.UTC)


@dataclass
class Kit:
    meter: Device
    meter_token: str
    smoke: Device
    smoke_token: str
    gateway: Device
    gateway_token: str
    other: Device  # institution B
    other_token: str


def make_kit(w) -> Kit:
    officer = w.users["safety_officer"]
    meter, mt = register_device(
        actor=officer,
        organization=w.inst_a,
        kind="electricity",
        code="EL-0001",
        name="厨房配电箱",
        department=w.dept_a,
        building="综合楼",
        floor="1F",
        location="厨房",
    )
    gateway, gt = register_device(
        actor=officer, organization=w.inst_a, kind="gateway", code="GW-0001", name="网关", building="综合楼"
    )
    smoke, st = register_device(
        actor=officer,
        organization=w.inst_a,
        kind="smoke",
        code="SM-0001",
        name="宿舍烟感",
        building="宿舍楼",
        floor="2F",
        location="201",
        gateway=gateway,
    )
    other, ot = register_device(
        actor=w.root, organization=w.inst_b, kind="electricity", code="EL-B001", name="B 配电箱"
    )
    return Kit(meter, mt, smoke, st, gateway, gt, other, ot)


@pytest.fixture
def kit(world) -> Kit:
    invalidate_rules()
    return make_kit(world)


@pytest.fixture
def published():
    """Alarm and device events published during the test (in the outbox): (kind, payload) pairs."""
    return core_events.Published("alarm.*", "device.*")


def telemetry(code: str, ts: dt.datetime, msg_id: str | None = None, **channels) -> Payload:
    return Payload.model_validate(
        {"device_id": code, "ts": ts.isoformat(), "type": "telemetry", "channels": channels, "msg_id": msg_id}
    )


def event(code: str, ts: dt.datetime, type_: str, alarm_code: str, msg_id: str | None = None) -> Payload:
    return Payload.model_validate(
        {"device_id": code, "ts": ts.isoformat(), "type": type_, "code": alarm_code, "msg_id": msg_id}
    )


@pytest.fixture(autouse=True)
def _fresh_rule_cache(request):
    invalidate_rules()
    if request.node.get_closest_marker("django_db"):
        ensure_default_rules()
    yield
    invalidate_rules()

"""Demo devices for the relief station and the first elderly home, a day of readings each and one
open alarm (residual current at the relief-station kitchen). Idempotent."""

from __future__ import annotations

import datetime as dt
import math

from django.utils import timezone

from shuangfang.core.demo import register
from shuangfang.orgs.models import Organization

from .devices import register_device
from .ingestion import MemoryLimiter, ingest
from .models import Device
from .rules import ensure_default_rules
from .schemas import Payload

DEVICES = [
    # institution, department, kind, code, name, building, floor, location
    ("汴州市救助管理站", "后勤保障科", "electricity", "DEMO-EL-01", "厨房配电箱", "综合楼", "1F", "厨房"),
    ("汴州市救助管理站", "后勤保障科", "electricity", "DEMO-EL-02", "宿舍配电箱", "宿舍楼", "1F", "配电间"),
    ("汴州市救助管理站", "安全保卫科", "smoke", "DEMO-SM-01", "宿舍走廊烟感", "宿舍楼", "2F", "东走廊"),
    ("汴州市救助管理站", "安全保卫科", "water_pressure", "DEMO-WP-01", "消火栓水压", "综合楼", "B1", "泵房"),
    ("汴州市第一养老院", "后勤部", "electricity", "DEMO-EL-11", "护理楼配电箱", "护理楼", "1F", "配电间"),
    ("汴州市第一养老院", "后勤部", "gas", "DEMO-GS-11", "厨房燃气探测器", "餐厅", "1F", "厨房"),
    ("汴州市第一养老院", "护理部", "heat", "DEMO-HT-11", "茶水间温感", "护理楼", "3F", "茶水间"),
]


def telemetry(device: Device, ts: dt.datetime, hour: float, alarm: bool) -> dict:
    wave = math.sin(hour / 24 * 2 * math.pi)
    templates: dict[str, dict] = {
        "electricity": {
            "residual_current_ma": 360 if alarm else round(60 + 25 * wave, 1),
            "temp_c": {
                "L1": round(38 + 6 * wave, 1),
                "L2": round(36 + 5 * wave, 1),
                "L3": round(37 + 5 * wave, 1),
            },
            "voltage_v": {"L1": round(221 + 4 * wave, 1)},
            "current_a": {"L1": round(14 + 8 * wave, 1)},
            "arc_count_1s": 0,
        },
        "smoke": {"smoke_obscuration": 0.3, "battery_pct": 86},
        "heat": {"temp_c": round(26 + 3 * wave, 1), "battery_pct": 91},
        "gas": {"gas_lel_pct": round(1 + abs(wave), 2)},
        "water_pressure": {"pressure_mpa": round(0.32 + 0.02 * wave, 3), "battery_pct": 77},
    }
    channels = templates[device.kind]
    return {"device_id": device.code, "ts": ts.isoformat(), "type": "telemetry", "channels": channels}


@register(50, "monitoring")
def build(city) -> None:
    ensure_default_rules()
    officer = {"汴州市救助管理站": city.people["liuyang"], "汴州市第一养老院": city.people["machao"]}
    now = timezone.now().replace(second=0, microsecond=0)
    created: list[Device] = []
    for inst_name, dept_name, kind, code, name, building, floor, location in DEVICES:
        if Device.objects.filter(code=code).exists():
            continue
        inst = city.institutions[inst_name]
        dept = Organization.objects.filter(parent=inst, name=dept_name).first()
        device, _token = register_device(
            actor=officer[inst_name],
            organization=inst,
            kind=kind,
            code=code,
            name=name,
            department=dept,
            building=building,
            floor=floor,
            location=location,
            heartbeat_seconds=300,
        )
        created.append(device)
    for device in created:
        items = []
        for i in range(24 * 6):  # a day, every 10 minutes
            ts = now - dt.timedelta(minutes=10 * (24 * 6 - i))
            last = i >= 24 * 6 - 3
            alarm = device.code == "DEMO-EL-01" and last
            items.append(
                (device, Payload.model_validate(telemetry(device, ts, ts.hour + ts.minute / 60, alarm)))
            )
        ingest(items, transport="demo", now=now, limiter=MemoryLimiter())

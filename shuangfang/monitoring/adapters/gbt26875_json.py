"""GB/T 26875.3-style messages as JSON (domain-reference §7.5): a gateway that speaks the frame
to the fire panel posts its fields as JSON::

    {"serial": 7, "version": "1.0", "time": "053014190926", "source": "123456789012",
     "command": 2, "unit": {"type": 2, "objects": [{"system_type": 1, "component_type": 40,
     "component_address": "1-023", "status": {"fire": true}, "time": "053014190926"}]}}

``time``: six BCD bytes sec min hour day month year as 12 digits (the encoding of the open
implementation §7.5 cites, flagged [X] there), local time Asia/Shanghai; or an ISO date-time.
``command`` 2 (send data) only. Data-unit types: 2 component status (fire → alarm, fault → fault,
neither → recovery), 3 component analog values (analog types 3 °C, 4 MPa, 6 %LEL), 21 transmitter
status (heartbeat). Codes from §7.5's tables [V code]."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from .base import AdapterError, need

SHANGHAI = ZoneInfo("Asia/Shanghai")
SMOKE_TYPES = range(40, 45)  # 感烟 variants
HEAT_TYPES = range(30, 38)  # 感温 variants
GAS_TYPES = {74}
ANALOG_CHANNELS = {3: "temp_c", 4: "pressure_mpa", 6: "gas_lel_pct"}


def parse_time(value: Any) -> str:
    text = str(value).strip()
    if len(text) == 12 and text.isdigit():
        sec, minute, hour, day, month, year = (int(text[i : i + 2]) for i in range(0, 12, 2))
        try:
            return dt.datetime(2000 + year, month, day, hour, minute, sec, tzinfo=SHANGHAI).isoformat()
        except ValueError:
            raise AdapterError(f"time is not a date: {text}") from None
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise AdapterError(f"time is neither 12 BCD digits nor ISO 8601: {text[:40]}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=SHANGHAI)
    return parsed.isoformat()


def _code(component_type: int) -> str:
    if component_type in SMOKE_TYPES:
        return "smoke"
    if component_type in HEAT_TYPES:
        return "heat"
    if component_type in GAS_TYPES:
        return "gas"
    return "device_fault"


def to_canonical(raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, dict):
        raise AdapterError("the message is not a JSON object")
    source, serial = str(need(raw, "source")), need(raw, "serial")
    if need(raw, "command") != 2:
        raise AdapterError(f"command {raw['command']} is not 2 (send data)")
    unit_type = need(raw, "unit.type")
    objects = raw["unit"].get("objects") or []
    base_time = parse_time(need(raw, "time"))
    base = {"device_id": source, "ts": base_time}
    if unit_type == 21:
        return [{**base, "msg_id": f"{source}-{serial}", "type": "heartbeat"}]
    if not isinstance(objects, list) or not objects:
        raise AdapterError("missing field: unit.objects")
    out = []
    for i, obj in enumerate(objects):
        msg: dict[str, Any] = {**base, "msg_id": f"{source}-{serial}-{i}"}
        if isinstance(obj, dict) and obj.get("time"):
            msg["ts"] = parse_time(obj["time"])
        if unit_type == 2:
            status = need(obj, "status")
            kind = "alarm" if status.get("fire") else "fault" if status.get("fault") else "recovery"
            code = _code(int(need(obj, "component_type"))) if kind != "fault" else "device_fault"
            msg.update(type=kind, code=code, channel=str(obj.get("component_address", ""))[:40] or None)
        elif unit_type == 3:
            analog = int(need(obj, "analog_type"))
            if analog not in ANALOG_CHANNELS:
                raise AdapterError(f"analog type {analog} is not mapped")
            value = need(obj, "value")
            if not isinstance(value, (int, float)):
                raise AdapterError("value is not a number")
            msg.update(type="telemetry", channels={ANALOG_CHANNELS[analog]: value})
        else:
            raise AdapterError(f"data-unit type {unit_type} is not mapped")
        out.append(msg)
    return out

"""A 智慧用电 vendor's cloud-to-cloud HTTP push (one message per POST)::

    {"deviceSn": "EL-0001", "timestamp": 1795058400000, "eventType": "realtime",
     "data": {"leakageCurrent": 42, "temperature": {"A": 36.5, "B": 35.9, "C": 37.1, "N": 34.0},
              "voltage": {"A": 221.3}, "current": {"A": 12.4}, "arcCount": 0}}

``eventType``: ``realtime`` (telemetry), ``alarm`` (with ``alarmType``, ``value``, ``threshold``),
``heartbeat``, ``recover``. ``timestamp`` in milliseconds (UTC). Phases A/B/C/N become L1/L2/L3/N.
The field names follow the vendor examples domain-reference §7.6 cites (non-normative): check a real
vendor's document and add its differences as its own module."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .base import AdapterError, need

FIELDS = {
    "leakageCurrent": "residual_current_ma",
    "temperature": "temp_c",
    "voltage": "voltage_v",
    "current": "current_a",
    "arcCount": "arc_count_1s",
}
PHASES = {"A": "L1", "B": "L2", "C": "L3", "N": "N"}
ALARMS = {
    "leakage": ("residual_current", "residual_current_ma"),
    "overTemp": ("cable_temp", "temp_c"),
    "overVoltage": ("overvoltage", "voltage_v"),
    "underVoltage": ("undervoltage", "voltage_v"),
    "arc": ("arc_fault", "arc_count_1s"),
}
TYPES = {"realtime": "telemetry", "alarm": "alarm", "heartbeat": "heartbeat", "recover": "recovery"}


def _channels(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise AdapterError("missing field: data")
    out: dict[str, Any] = {}
    for name, value in data.items():
        channel = FIELDS.get(name)
        if channel is None:
            continue  # fields this product does not store (energy, power factor…)
        if isinstance(value, dict):
            unknown = set(value) - set(PHASES)
            if unknown:
                raise AdapterError(f"{name}: unknown phase {sorted(unknown)[0]}")
            out[channel] = {PHASES[p]: v for p, v in value.items()}
        else:
            out[channel] = value
    return out


def to_canonical(raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, dict):
        raise AdapterError("the message is not a JSON object")
    sn = str(need(raw, "deviceSn"))
    stamp = need(raw, "timestamp")
    if not isinstance(stamp, (int, float)):
        raise AdapterError("timestamp is not a number of milliseconds")
    ts = dt.datetime.fromtimestamp(stamp / 1000, tz=dt.UTC).isoformat()
    kind = TYPES.get(str(need(raw, "eventType")))
    if kind is None:
        raise AdapterError(f"eventType {raw['eventType']!r} is not mapped")
    msg: dict[str, Any] = {"device_id": sn, "ts": ts, "type": kind, "msg_id": f"{sn}-{int(stamp)}"}
    if kind == "telemetry":
        msg["channels"] = _channels(need(raw, "data"))
    elif kind in ("alarm", "recovery"):
        alarm = ALARMS.get(str(need(raw, "alarmType")))
        if alarm is None:
            raise AdapterError(f"alarmType {raw['alarmType']!r} is not mapped")
        msg.update(code=alarm[0], channel=alarm[1])
        for key in ("value", "threshold"):
            if isinstance(raw.get(key), (int, float)):
                msg[key] = raw[key]
    return [msg]

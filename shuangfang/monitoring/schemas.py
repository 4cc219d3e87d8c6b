"""The canonical device payload (domain-reference §7.6), validated with pydantic. The HTTP API
documents these same schemas; the MQTT listener validates with them too."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from shuangfang.core.api import refuse_unstorable
from shuangfang.core.vocabulary import Severity

MAX_MESSAGE_BYTES = 64 * 1024
MAX_BATCH = 500
MAX_CHANNELS = 64
FUTURE_TOLERANCE = dt.timedelta(minutes=5)

# Physically possible values per quantity (the channel key's first part). A value outside is a broken
# sensor or a forged message, not an alarm: the message is refused. Thresholds live in AlarmRule.
PHYSICAL_RANGES: dict[str, tuple[float, float]] = {
    "residual_current_ma": (0, 10_000),
    "temp_c": (-50, 400),
    "voltage_v": (0, 1_000),
    "current_a": (0, 5_000),
    "arc_count_1s": (0, 1_000),
    "power_kw": (0, 10_000),
    "smoke_obscuration": (0, 100),
    "gas_lel_pct": (0, 100),
    "pressure_mpa": (0, 10),
    "battery_pct": (0, 100),
    "rssi": (-150, 0),
}

MessageType = Literal["telemetry", "alarm", "fault", "heartbeat", "recovery"]


class Channels(dict):
    """A validated ``channels`` mapping that keeps its flat view (``flatten``), made once in
    validation and read by ``Payload.readings``."""

    flat: dict[str, float] | None = None


class Payload(BaseModel):
    """One device message. ``channels`` holds numbers, or per-phase numbers (``{"L1": 36.5}``);
    alarm, fault and recovery messages name a ``code`` (e.g. ``smoke``, ``low_battery``, ``tamper``)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    device_id: str = Field(min_length=1, max_length=64)
    msg_id: str | None = Field(default=None, max_length=64)
    # The device's message counter (+1 per message) and the run it belongs to (a boot counter or id
    # that changes when the device restarts and its counter starts over): gaps raise an alarm.
    seq: int | None = Field(default=None, ge=0, le=2**62)
    boot: str = Field(default="", max_length=64)
    ts: AwareDatetime
    type: MessageType = "telemetry"
    channels: dict[str, float | dict[str, float]] = Field(default_factory=dict)
    status: dict[str, Any] = Field(default_factory=dict)
    code: str | None = Field(default=None, max_length=40)
    channel: str | None = Field(default=None, max_length=40)
    value: float | None = None
    threshold: float | None = None
    severity: Severity | None = None

    @model_validator(mode="before")
    @classmethod
    def _storable(cls, data: Any, info: ValidationInfo) -> Any:
        """A NUL or a lone surrogate anywhere in the message is refused (no database keeps it).
        The MQTT path skips the walk when the raw JSON cannot hold either (``STORABLE``)."""
        if not (info.context and info.context.get("storable")):
            refuse_unstorable(data)
        return data

    @field_validator("channels")
    @classmethod
    def _channels(cls, v: dict[str, Any]) -> dict[str, Any]:
        flat = flatten(v)
        checked = Channels(v)
        checked.flat = flat
        if len(flat) > MAX_CHANNELS:
            raise ValueError(f"too many channels ({len(flat)} > {MAX_CHANNELS})")
        for key, value in flat.items():
            if len(key) > 40:
                raise ValueError(f"channel name too long: {key[:40]}…")
            if not math.isfinite(value):
                raise ValueError(f"{key}: not a finite number")
            quantity = key.split(".", 1)[0]
            low, high = PHYSICAL_RANGES.get(quantity, (-1e9, 1e9))
            if not low <= value <= high:
                raise ValueError(f"{key}={value} is outside the physical range [{low}, {high}]")
        return checked

    @model_validator(mode="after")
    def _event_code(self) -> Payload:
        if self.type in ("alarm", "fault", "recovery") and not self.code:
            raise ValueError(f"a {self.type} message needs a code")
        return self

    def readings(self) -> dict[str, float]:
        """The channels as ``{"temp_c.L1": 36.5, …}`` (telemetry only); not to be changed."""
        if self.type != "telemetry":
            return {}
        flat = getattr(self.channels, "flat", None)  # computed in validation (Channels)
        return flat if flat is not None else flatten(self.channels)


class Batch(BaseModel):
    messages: list[Payload] = Field(min_length=1, max_length=MAX_BATCH)


class IngestResult(BaseModel):
    accepted: int
    duplicates: int
    rejected: list[dict[str, Any]]
    alarms_opened: int


def flatten(channels: dict[str, Any]) -> dict[str, float]:
    out: dict[str, float] = {}
    for key, value in channels.items():
        if isinstance(value, dict):
            for phase, v in value.items():
                out[f"{key}.{phase}"] = float(v)
        else:
            out[key] = float(value)
    return out


def sample_payload(code: str, kind: str) -> dict[str, Any]:
    """A realistic example for the registration page."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    templates: dict[str, dict[str, Any]] = {
        "electricity": {
            "residual_current_ma": 42,
            "temp_c": {"L1": 36.5, "L2": 35.9, "L3": 37.1, "N": 34.0},
            "voltage_v": {"L1": 221.3},
            "current_a": {"L1": 12.4},
            "arc_count_1s": 0,
        },
        "smoke": {"smoke_obscuration": 0.4, "battery_pct": 88},
        "heat": {"temp_c": 24.5, "battery_pct": 90},
        "gas": {"gas_lel_pct": 1.5},
        "water_pressure": {"pressure_mpa": 0.32},
        "gateway": {},
        "fridge_temp": {"temp_c": 4.2, "battery_pct": 93},
        "freezer_temp": {"temp_c": -18.5, "battery_pct": 93},
    }
    channels = templates.get(kind, {})
    return {
        "device_id": code,
        "msg_id": "0001",
        "seq": 1,
        "boot": "1",
        "ts": now,
        "type": "telemetry" if channels else "heartbeat",
        "channels": channels,
        "status": {"online": True, "rssi": -71, "fw": "1.2.3"},
    }

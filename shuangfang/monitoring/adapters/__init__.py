"""Vendor payload adapters: each turns one vendor message (parsed JSON) into canonical payload dicts
(:mod:`..schemas`, domain-reference §7.6), or raises :class:`AdapterError` with the reason. A device
names its adapter (``Device.adapter``); the HTTP ingest endpoint runs it before validation, and the
MQTT listener through :func:`for_mqtt` (one line in ``mqtt.Listener.parse``).

* ``canonical``: the product's own payload (no mapping).
* ``gbt26875_json``: the frame fields of GB/T 26875.3 (domain-reference §7.5) as JSON from a gateway.
* ``cloud_push``: a 智慧用电 vendor's cloud-to-cloud HTTP push.

Both vendor shapes are *illustrations* written from domain-reference §7.5/§7.6 (code tables from
open implementations, field names of vendor examples); no vendor's own document was read. A real
vendor's format is added as one more small module here, with its fixtures."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from . import cloud_push, gbt26875_json
from .base import AdapterError

ADAPTERS: dict[str, Callable[[Any], list[dict[str, Any]]]] = {
    "canonical": lambda raw: [raw],
    "gbt26875_json": gbt26875_json.to_canonical,
    "cloud_push": cloud_push.to_canonical,
}

__all__ = ["ADAPTERS", "AdapterError", "adapt", "for_mqtt", "is_canonical"]


def adapt(name: str, raw: Any) -> list[dict[str, Any]]:
    if name not in ADAPTERS:
        raise AdapterError(f"unknown adapter {name!r}")
    return ADAPTERS[name](raw)


def for_mqtt(device: Any, raw: bytes | bytearray) -> Any:
    """The MQTT listener's decoding of one message body for ``device``: the canonical document as
    read, or the device's vendor format mapped onto it. The listener validates one payload per
    MQTT message, so a vendor message that maps onto several is reduced to one when they are
    readings of the same instant (channels merged) and refused otherwise, with the reason: such a
    gateway publishes one event per message, or posts over HTTP. Raises ``ValueError`` (the
    listener records it as a refused message) when the body cannot be read."""
    data = json.loads(raw)
    if is_canonical(device):
        return data
    name = device.adapter
    try:
        out = adapt(name, data)
    except AdapterError as exc:
        raise AdapterError(f"the {name} message cannot be read: {exc}") from exc
    if len(out) == 1:
        return out[0]
    return _merge_readings(name, out)


def is_canonical(device: Any) -> bool:
    """Whether the device sends the product's own payload (no adapter)."""
    return (getattr(device, "adapter", "canonical") or "canonical") == "canonical"


def _merge_readings(name: str, out: list[dict[str, Any]]) -> dict[str, Any]:
    first = out[0]
    same = all(m.get("type") == "telemetry" and m.get("ts") == first.get("ts") for m in out)
    channels: dict[str, Any] = {}
    for m in out:
        if not same or set(m.get("channels", {})) & set(channels):
            raise AdapterError(
                f"the {name} message holds {len(out)} events; over MQTT send one per message "
                "(or post it to the HTTP ingest endpoint)"
            )
        channels.update(m.get("channels", {}))
    return {**first, "channels": channels}

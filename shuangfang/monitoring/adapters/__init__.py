"""Vendor payload adapters: each turns one vendor message (parsed JSON) into canonical payload dicts
(:mod:`..schemas`, domain-reference §7.6), or raises :class:`AdapterError` with the reason. A device
names its adapter (``Device.adapter``); the HTTP ingest endpoint runs it before validation.

* ``canonical``: the product's own payload (no mapping).
* ``gbt26875_json``: the frame fields of GB/T 26875.3 (domain-reference §7.5) as JSON from a gateway.
* ``cloud_push``: a 智慧用电 vendor's cloud-to-cloud HTTP push.

Both vendor shapes are *illustrations* written from domain-reference §7.5/§7.6 (code tables from
open implementations, field names of vendor examples); no vendor's own document was read. A real
vendor's format is added as one more small module here, with its fixtures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import cloud_push, gbt26875_json
from .base import AdapterError

ADAPTERS: dict[str, Callable[[Any], list[dict[str, Any]]]] = {
    "canonical": lambda raw: [raw],
    "gbt26875_json": gbt26875_json.to_canonical,
    "cloud_push": cloud_push.to_canonical,
}

__all__ = ["ADAPTERS", "AdapterError", "adapt"]


def adapt(name: str, raw: Any) -> list[dict[str, Any]]:
    if name not in ADAPTERS:
        raise AdapterError(f"unknown adapter {name!r}")
    return ADAPTERS[name](raw)

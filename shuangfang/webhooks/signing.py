"""The signature of a webhook request, and how a receiver verifies it (docs/webhooks.md).

Headers: ``X-Shuangfang-Timestamp: <unix seconds>``, ``X-Shuangfang-Delivery: <uuid>`` (the same on
every attempt) and ``X-Shuangfang-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." +
body)>``. The receiver recomputes the HMAC over the raw body, compares in constant time, refuses a
timestamp more than ``REPLAY_WINDOW`` seconds from its clock (a captured request replayed later),
and drops a delivery id it has already seen (a retry after a lost answer)."""

from __future__ import annotations

import hashlib
import hmac

REPLAY_WINDOW = 300


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify(
    secret: str, timestamp: str, body: bytes, signature: str, *, now: float, window: int = REPLAY_WINDOW
) -> str:
    """``"ok"`` or why the request is refused (the reference check a receiver implements)."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return "no timestamp"
    if abs(now - sent) > window:
        return "outside the replay window"
    if not hmac.compare_digest(sign(secret, timestamp, body), signature or ""):
        return "bad signature"
    return "ok"

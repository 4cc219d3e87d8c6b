"""Generic webhook: ``X-Shuangfang-Signature: sha256=hex(HMAC-SHA256(secret, timestamp + "." +
body))``.

Each request carries ``X-Shuangfang-Delivery`` (the delivery's UUID, the same on every attempt: a
retry after a timeout or after a worker died mid-send repeats it, so the receiver can drop the
duplicate) and ``X-Shuangfang-Event`` (the notification's UUID: the one happening, whichever
attempt or channel carries it); the JSON body repeats both as ``delivery`` and ``event`` (signed
with the rest of the body)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from .base import OutMessage, Result, http_failure, http_request, secret_of


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def webhook(provider, msg: OutMessage) -> Result:
    body = json.dumps(
        {
            "text": msg.text,
            "subject": msg.subject,
            **msg.params,
            "delivery": msg.delivery_id,
            "event": msg.event_id,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    ts = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Shuangfang-Timestamp": ts,
        "X-Shuangfang-Delivery": msg.delivery_id,
        "X-Shuangfang-Event": msg.event_id,
        "X-Shuangfang-Signature": webhook_signature(secret_of(provider), ts, body),
    }
    status, text = http_request("POST", provider.endpoint, body=body, headers=headers)
    return http_failure(status, text) or Result(True)

"""Generic webhook: ``X-Shuangfang-Signature: sha256=hex(HMAC-SHA256(secret, timestamp + "." +
body))``."""

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
        {"text": msg.text, "subject": msg.subject, **msg.params}, ensure_ascii=False, separators=(",", ":")
    ).encode()
    ts = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Shuangfang-Timestamp": ts,
        "X-Shuangfang-Signature": webhook_signature(secret_of(provider), ts, body),
    }
    status, text = http_request("POST", provider.endpoint, body=body, headers=headers)
    return http_failure(status, text) or Result(True)

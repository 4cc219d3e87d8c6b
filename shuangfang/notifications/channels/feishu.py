"""Feishu group robot: ``sign = Base64(HMAC-SHA256(key=timestamp + "\\n" + secret, msg=""))`` in the
body."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from .base import OutMessage, Result, post_json, robot_result, secret_of


def feishu_sign(secret: str, timestamp: int) -> str:
    digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def feishu(provider, msg: OutMessage) -> Result:
    base = provider.endpoint or "https://open.feishu.cn/open-apis/bot/v2/hook/"
    url = base.rstrip("/") + "/" + provider.access_key
    body: dict = {"msg_type": "text", "content": {"text": msg.text}}
    secret = secret_of(provider)
    if secret:
        ts = int(time.time())
        body = {"timestamp": str(ts), "sign": feishu_sign(secret, ts), **body}
    status, text = post_json(url, body)
    return robot_result(status, text, "code", {11232})

"""DingTalk group robot: ``sign = urlencode(Base64(HMAC-SHA256(secret, timestamp_ms + "\\n" +
secret)))``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse

from .base import OutMessage, Result, post_json, robot_result, secret_of


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode())


def dingtalk(provider, msg: OutMessage) -> Result:
    base = provider.endpoint or "https://oapi.dingtalk.com/robot/send"
    query = {"access_token": provider.access_key}
    secret = secret_of(provider)
    url = f"{base}?{urllib.parse.urlencode(query)}"
    if secret:
        ts = int(time.time() * 1000)
        url += f"&timestamp={ts}&sign={dingtalk_sign(secret, ts)}"
    status, text = post_json(url, {"msgtype": "text", "text": {"content": msg.text}})
    return robot_result(status, text, "errcode", {130101})

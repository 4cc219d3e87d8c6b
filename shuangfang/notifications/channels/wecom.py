"""WeCom group robot: the key in the URL, no signature."""

from __future__ import annotations

import urllib.parse

from .base import OutMessage, Result, post_json, robot_result


def wecom(provider, msg: OutMessage) -> Result:
    base = provider.endpoint or "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
    url = f"{base}?{urllib.parse.urlencode({'key': provider.access_key})}"
    status, text = post_json(url, {"msgtype": "text", "text": {"content": msg.text}})
    return robot_result(status, text, "errcode", {45009})

"""Aliyun SMS (Dysmsapi ``SendSms``) and voice (Dyvmsapi ``SingleCallByTts``): one RPC signature.

The parameters sorted, each name and value percent-encoded (RFC 3986; space as %20, ``~`` kept),
joined with ``&``; ``StringToSign = "GET&%2F&" + percentEncode(that)``;
``Signature = Base64(HMAC-SHA1(secret + "&", StringToSign))``."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import urllib.parse
import uuid

from .base import (
    OutMessage,
    Result,
    http_request,
    json_object,
    log,
    provider_code,
    secret_of,
    template,
    template_params,
)


def aliyun_percent_encode(value: str) -> str:
    return urllib.parse.quote(value, safe="~")


def aliyun_string_to_sign(params: dict[str, str], method: str = "GET") -> str:
    canonical = "&".join(
        f"{aliyun_percent_encode(k)}={aliyun_percent_encode(params[k])}" for k in sorted(params)
    )
    return f"{method}&{aliyun_percent_encode('/')}&{aliyun_percent_encode(canonical)}"


def aliyun_signature(params: dict[str, str], secret: str, method: str = "GET") -> str:
    digest = hmac.new(
        (secret + "&").encode(), aliyun_string_to_sign(params, method).encode(), hashlib.sha1
    ).digest()
    return base64.b64encode(digest).decode()


def _aliyun_call(provider, default_endpoint: str, action_params: dict[str, str]) -> Result:
    params = {
        "AccessKeyId": provider.access_key,
        "Format": "JSON",
        "RegionId": provider.params.get("region", "cn-hangzhou"),
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": uuid.uuid4().hex,
        "SignatureVersion": "1.0",
        "Timestamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": "2017-05-25",
        **action_params,
    }
    params["Signature"] = aliyun_signature(params, secret_of(provider))
    query = "&".join(f"{aliyun_percent_encode(k)}={aliyun_percent_encode(v)}" for k, v in params.items())
    status, text = http_request("GET", f"{(provider.endpoint or default_endpoint).rstrip('/')}/?{query}")
    data = json_object(text)
    code = str(data.get("Code", ""))
    if code == "OK":
        return Result(True, ref=str(data.get("BizId") or data.get("CallId") or ""))
    log.warning("aliyun answered %s %s: %s", status, code, str(data.get("Message", text))[:500])
    error = provider_code(code) if code else f"HTTP {status}"
    if status >= 500 or code.startswith("isp.") or code in {"isv.BUSINESS_LIMIT_CONTROL", "Throttling.User"}:
        return Result(False, temporary=True, error=error)
    return Result(False, error=error)


def aliyun_sms(provider, msg: OutMessage) -> Result:
    values = template_params(provider, msg.params, 35)
    return _aliyun_call(
        provider,
        "https://dysmsapi.aliyuncs.com",
        {
            "Action": "SendSms",
            "PhoneNumbers": msg.address,
            "SignName": provider.params.get("sign_name", ""),
            "TemplateCode": template(provider, msg.params, "template_code"),
            "TemplateParam": json.dumps(dict(values), ensure_ascii=False, separators=(",", ":")),
        },
    )


def aliyun_voice(provider, msg: OutMessage) -> Result:
    values = template_params(provider, msg.params, 35)
    action = {
        "Action": "SingleCallByTts",
        "CalledNumber": msg.address,
        "TtsCode": provider.params.get("tts_code", ""),
        "TtsParam": json.dumps(dict(values), ensure_ascii=False, separators=(",", ":")),
    }
    if provider.params.get("called_show_number"):
        action["CalledShowNumber"] = provider.params["called_show_number"]
    return _aliyun_call(provider, "https://dyvmsapi.aliyuncs.com", action)

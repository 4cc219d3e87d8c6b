"""Tencent Cloud SMS (``SendSms``, version 2021-01-11) and voice (VMS ``SendTtsVoice``, version
2020-09-02): one API 3.0 ``TC3-HMAC-SHA256`` signature."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
import urllib.parse

from .base import (
    OutMessage,
    Result,
    http_failure,
    http_request,
    json_object,
    log,
    provider_code,
    secret_of,
    template,
    template_params,
)


def tc3_authorization(
    *,
    secret_id: str,
    secret_key: str,
    host: str,
    service: str,
    payload: str,
    timestamp: int,
    content_type: str,
) -> str:
    date = dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%d")
    canonical_request = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{content_type}\nhost:{host}\n",
            "content-type;host",
            hashlib.sha256(payload.encode()).hexdigest(),
        ]
    )
    scope = f"{date}/{service}/tc3_request"
    string_to_sign = "\n".join(
        ["TC3-HMAC-SHA256", str(timestamp), scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
    )

    def _h(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    signing = _h(_h(_h(("TC3" + secret_key).encode(), date), service), "tc3_request")
    signature = hmac.new(signing, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return (
        f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, "
        f"SignedHeaders=content-type;host, Signature={signature}"
    )


def _tencent_call(
    provider, *, default_endpoint: str, service: str, action: str, version: str, body: dict
) -> dict | Result:
    """One signed Tencent Cloud API 3.0 call: the ``Response`` object, or a failed Result."""
    endpoint = provider.endpoint or default_endpoint
    host = urllib.parse.urlsplit(endpoint).netloc
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    timestamp = int(time.time())
    content_type = "application/json; charset=utf-8"
    headers = {
        "Authorization": tc3_authorization(
            secret_id=provider.access_key,
            secret_key=secret_of(provider),
            host=host,
            service=service,
            payload=payload,
            timestamp=timestamp,
            content_type=content_type,
        ),
        "Content-Type": content_type,
        "Host": host,
        "X-TC-Action": action,
        "X-TC-Timestamp": str(timestamp),
        "X-TC-Version": version,
        "X-TC-Region": provider.params.get("region", "ap-guangzhou"),
    }
    status, text = http_request("POST", endpoint, body=payload.encode(), headers=headers)
    failure = http_failure(status, text)
    if failure:
        return failure
    response = json_object(text).get("Response", {})
    error = response.get("Error")
    if error:
        code = str(error.get("Code", ""))
        temporary = code.startswith(("InternalError", "RequestLimitExceeded", "LimitExceeded"))
        log.warning("tencent answered %s: %s", code, str(error.get("Message", ""))[:500])
        return Result(False, temporary=temporary, error=provider_code(code))
    return response


def tencent_sms(provider, msg: OutMessage) -> Result:
    values = template_params(provider, msg.params, 12)
    response = _tencent_call(
        provider,
        default_endpoint="https://sms.tencentcloudapi.com/",
        service="sms",
        action="SendSms",
        version="2021-01-11",
        body={
            "PhoneNumberSet": [f"+86{msg.address}"],
            "SmsSdkAppId": provider.params.get("sdk_app_id", ""),
            "SignName": provider.params.get("sign_name", ""),
            "TemplateId": template(provider, msg.params, "template_id"),
            "TemplateParamSet": [v for _n, v in values],
        },
    )
    if isinstance(response, Result):
        return response
    statuses = response.get("SendStatusSet") or [{}]
    first = statuses[0]
    if first.get("Code") == "Ok":
        return Result(True, ref=str(first.get("SerialNo", "")))
    code = str(first.get("Code", "unknown"))
    log.warning("tencent SendSms status %s: %s", code, str(first.get("Message", ""))[:500])
    return Result(False, temporary=code.startswith("LimitExceeded"), error=provider_code(code))


def tencent_voice(provider, msg: OutMessage) -> Result:
    """Tencent Cloud voice message (VMS ``SendTtsVoice``, 2020-09-02): an approved TTS template read
    out to the called number, played up to three times."""
    values = template_params(provider, msg.params, 20)
    response = _tencent_call(
        provider,
        default_endpoint="https://vms.tencentcloudapi.com/",
        service="vms",
        action="SendTtsVoice",
        version="2020-09-02",
        body={
            "TemplateId": template(provider, msg.params, "template_id"),
            "TemplateParamSet": [v for _n, v in values],
            "CalledNumber": f"+86{msg.address}",
            "VoiceSdkAppid": provider.params.get("voice_sdk_app_id", ""),
            "PlayTimes": int(provider.params.get("play_times", 2)),
        },
    )
    if isinstance(response, Result):
        return response
    call_id = (response.get("SendStatus") or {}).get("CallId")
    return Result(True, ref=str(call_id)) if call_id else Result(False, error="no CallId in the answer")

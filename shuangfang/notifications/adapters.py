"""Channel adapters: one function per provider kind that sends one message and says what happened.

Each returns a :class:`Result`; it never raises for a provider's answer. ``temporary`` failures are
retried with backoff by the delivery engine; permanent ones fall through to the next channel.
The request formats and signatures follow the providers' published algorithms:

* Aliyun RPC style (Dysmsapi ``SendSms``, Dyvmsapi ``SingleCallByTts``): the parameters sorted,
  each name and value percent-encoded (RFC 3986; space as %20, ``~`` kept), joined with ``&``;
  ``StringToSign = "GET&%2F&" + percentEncode(that)``; ``Signature = Base64(HMAC-SHA1(secret + "&",
  StringToSign))``.
* Tencent Cloud API 3.0 ``TC3-HMAC-SHA256`` (SMS ``SendSms``, version 2021-01-11; voice ``SendTtsVoice``,
  VMS version 2020-09-02).
* DingTalk robot: ``sign = urlencode(Base64(HMAC-SHA256(secret, timestamp_ms + "\\n" + secret)))``.
* Feishu robot: ``sign = Base64(HMAC-SHA256(key=timestamp + "\\n" + secret, msg=""))`` in the body.
* WeCom robot: the key in the URL, no signature.
* Generic webhook: ``X-Shuangfang-Signature: sha256=hex(HMAC-SHA256(secret, timestamp + "." + body))``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import smtplib
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from .choices import ProviderKind
from .sealing import unseal

TIMEOUT = 8.0


@dataclass
class OutMessage:
    address: str
    subject: str
    text: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class Result:
    ok: bool
    temporary: bool = False
    error: str = ""
    ref: str = ""
    delivered: bool = False  # the provider confirmed delivery (robots, inbox)


def secret_of(provider) -> str:
    if provider.secret_env:
        return os.environ.get(provider.secret_env, "")
    return unseal(provider.secret_sealed) if provider.secret_sealed else ""


def _http(
    method: str, url: str, *, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, str]:
    """(status, text); raises ``_Temporary`` for network trouble."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:  # noqa: S310
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        raise _Temporary(f"network: {getattr(exc, 'reason', exc)}") from exc


class _Temporary(Exception):
    pass


def _http_failure(status: int, text: str) -> Result | None:
    if status >= 500 or status == 429:
        return Result(False, temporary=True, error=f"HTTP {status}: {text[:200]}")
    if status >= 400:
        return Result(False, error=f"HTTP {status}: {text[:200]}")
    return None


def _json(text: str) -> dict:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _is_code(provider, params: dict[str, str]) -> bool:
    """A verification code travels in the provider's approved verification template."""
    return bool(params.get("code"))


def _template(provider, params: dict[str, str], key: str) -> str:
    if _is_code(provider, params):
        return str(provider.params.get(f"verify_{key}") or provider.params.get(key, ""))
    return str(provider.params.get(key, ""))


def _template_params(provider, params: dict[str, str], default_len: int) -> list[tuple[str, str]]:
    """The approved template's variables in order, each cut to the provider's length limit (links
    are never cut: a cut link is useless)."""
    if _is_code(provider, params):
        return [("code", params["code"])]
    names = provider.params.get("template_params") or ["title"]
    limit = int(provider.params.get("max_param_len") or default_len)
    out = []
    for name in names:
        value = str(params.get(name, ""))
        if name != "link" and len(value) > limit:
            value = value[: limit - 1] + "…"
        out.append((name, value))
    return out


# --- Aliyun RPC ----------------------------------------------------------------------------------


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
    status, text = _http("GET", f"{(provider.endpoint or default_endpoint).rstrip('/')}/?{query}")
    data = _json(text)
    code = str(data.get("Code", ""))
    if code == "OK":
        return Result(True, ref=str(data.get("BizId") or data.get("CallId") or ""))
    if status >= 500 or code.startswith("isp.") or code in {"isv.BUSINESS_LIMIT_CONTROL", "Throttling.User"}:
        return Result(
            False, temporary=True, error=f"{code or 'HTTP ' + str(status)}: {data.get('Message', text[:200])}"
        )
    return Result(False, error=f"{code or 'HTTP ' + str(status)}: {data.get('Message', text[:200])}")


def aliyun_sms(provider, msg: OutMessage) -> Result:
    values = _template_params(provider, msg.params, 35)
    return _aliyun_call(
        provider,
        "https://dysmsapi.aliyuncs.com",
        {
            "Action": "SendSms",
            "PhoneNumbers": msg.address,
            "SignName": provider.params.get("sign_name", ""),
            "TemplateCode": _template(provider, msg.params, "template_code"),
            "TemplateParam": json.dumps(dict(values), ensure_ascii=False, separators=(",", ":")),
        },
    )


def aliyun_voice(provider, msg: OutMessage) -> Result:
    values = _template_params(provider, msg.params, 35)
    action = {
        "Action": "SingleCallByTts",
        "CalledNumber": msg.address,
        "TtsCode": provider.params.get("tts_code", ""),
        "TtsParam": json.dumps(dict(values), ensure_ascii=False, separators=(",", ":")),
    }
    if provider.params.get("called_show_number"):
        action["CalledShowNumber"] = provider.params["called_show_number"]
    return _aliyun_call(provider, "https://dyvmsapi.aliyuncs.com", action)


# --- Tencent Cloud TC3-HMAC-SHA256 ---------------------------------------------------------------


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
    status, text = _http("POST", endpoint, body=payload.encode(), headers=headers)
    failure = _http_failure(status, text)
    if failure:
        return failure
    response = _json(text).get("Response", {})
    error = response.get("Error")
    if error:
        code = str(error.get("Code", ""))
        temporary = code.startswith(("InternalError", "RequestLimitExceeded", "LimitExceeded"))
        return Result(False, temporary=temporary, error=f"{code}: {error.get('Message', '')}")
    return response


def tencent_sms(provider, msg: OutMessage) -> Result:
    values = _template_params(provider, msg.params, 12)
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
            "TemplateId": _template(provider, msg.params, "template_id"),
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
    return Result(
        False, temporary=code.startswith("LimitExceeded"), error=f"{code}: {first.get('Message', '')}"
    )


def tencent_voice(provider, msg: OutMessage) -> Result:
    """Tencent Cloud voice message (VMS ``SendTtsVoice``, 2020-09-02): an approved TTS template read
    out to the called number, played up to three times."""
    values = _template_params(provider, msg.params, 20)
    response = _tencent_call(
        provider,
        default_endpoint="https://vms.tencentcloudapi.com/",
        service="vms",
        action="SendTtsVoice",
        version="2020-09-02",
        body={
            "TemplateId": _template(provider, msg.params, "template_id"),
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


# --- Group robots and webhook ------------------------------------------------------------------


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode())


def feishu_sign(secret: str, timestamp: int) -> str:
    digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def _robot_result(status: int, text: str, code_key: str, temporary_codes: set[int]) -> Result:
    failure = _http_failure(status, text)
    if failure:
        return failure
    data = _json(text)
    code = data.get(code_key, data.get("StatusCode", 0))
    if code in (0, "0"):
        return Result(True, delivered=True)
    return Result(
        False,
        temporary=int(code) in temporary_codes,
        error=f"{code}: {data.get('errmsg') or data.get('msg', '')}",
    )


def _post_json(url: str, body: dict) -> tuple[int, str]:
    return _http(
        "POST",
        url,
        body=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )


def dingtalk(provider, msg: OutMessage) -> Result:
    base = provider.endpoint or "https://oapi.dingtalk.com/robot/send"
    query = {"access_token": provider.access_key}
    secret = secret_of(provider)
    url = f"{base}?{urllib.parse.urlencode(query)}"
    if secret:
        ts = int(time.time() * 1000)
        url += f"&timestamp={ts}&sign={dingtalk_sign(secret, ts)}"
    status, text = _post_json(url, {"msgtype": "text", "text": {"content": msg.text}})
    return _robot_result(status, text, "errcode", {130101})


def feishu(provider, msg: OutMessage) -> Result:
    base = provider.endpoint or "https://open.feishu.cn/open-apis/bot/v2/hook/"
    url = base.rstrip("/") + "/" + provider.access_key
    body: dict = {"msg_type": "text", "content": {"text": msg.text}}
    secret = secret_of(provider)
    if secret:
        ts = int(time.time())
        body = {"timestamp": str(ts), "sign": feishu_sign(secret, ts), **body}
    status, text = _post_json(url, body)
    return _robot_result(status, text, "code", {11232})


def wecom(provider, msg: OutMessage) -> Result:
    base = provider.endpoint or "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
    url = f"{base}?{urllib.parse.urlencode({'key': provider.access_key})}"
    status, text = _post_json(url, {"msgtype": "text", "text": {"content": msg.text}})
    return _robot_result(status, text, "errcode", {45009})


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
    status, text = _http("POST", provider.endpoint, body=body, headers=headers)
    return _http_failure(status, text) or Result(True)


# --- Email ---------------------------------------------------------------------------------------


def email(provider, msg: OutMessage) -> Result:
    try:
        connection = get_connection(timeout=TIMEOUT)
        sent = EmailMessage(
            subject=msg.subject,
            body=msg.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[msg.address],
            connection=connection,
        ).send()
    except smtplib.SMTPRecipientsRefused as exc:
        return Result(False, error=f"SMTP refused the address: {exc.recipients}")
    except smtplib.SMTPResponseException as exc:
        return Result(
            False,
            temporary=exc.smtp_code >= 400 and exc.smtp_code < 500,
            error=f"SMTP {exc.smtp_code}: {exc.smtp_error!r}",
        )
    except (OSError, smtplib.SMTPException) as exc:
        return Result(False, temporary=True, error=f"SMTP: {exc}")
    return Result(bool(sent), error="" if sent else "not sent")


SENDERS: dict[str, Callable[[object, OutMessage], Result]] = {
    ProviderKind.ALIYUN_SMS: aliyun_sms,
    ProviderKind.ALIYUN_VOICE: aliyun_voice,
    ProviderKind.TENCENT_SMS: tencent_sms,
    ProviderKind.TENCENT_VOICE: tencent_voice,
    ProviderKind.DINGTALK: dingtalk,
    ProviderKind.FEISHU: feishu,
    ProviderKind.WECOM: wecom,
    ProviderKind.WEBHOOK: webhook,
}


def send(provider, msg: OutMessage, *, channel: str) -> Result:
    try:
        if channel == "email":
            return email(provider, msg)
        if provider is None:
            return Result(False, error="no provider configured for this channel")
        return SENDERS[provider.kind](provider, msg)
    except _Temporary as exc:
        return Result(False, temporary=True, error=str(exc))

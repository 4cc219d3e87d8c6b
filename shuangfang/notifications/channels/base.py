"""What every channel shares: the message and the result, the provider's secret, HTTP with a timeout
(network trouble is a temporary failure) through the outbound guard (``notifications.outbound``: no
private, loopback or metadata address, no redirect), the approved template's variables, and the
robots' answer.

What a provider answered is not shown to users: a failure's ``error`` (the delivery's
``last_error``, on pages) keeps the HTTP status and the provider's error code only; the answer's
text goes to the server log (``shuangfang.notifications.channels.base``)."""

from __future__ import annotations

import json
import logging
import os
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from shuangfang.notifications import outbound
from shuangfang.notifications.sealing import KeysMissing, SecretUnreadable, unseal

log = logging.getLogger(__name__)

TIMEOUT = 8.0


@dataclass
class OutMessage:
    address: str
    subject: str
    text: str
    params: dict[str, str] = field(default_factory=dict)
    delivery_id: str = ""  # the delivery's UUID: the same on every attempt (receivers deduplicate)
    event_id: str = ""  # the notification's UUID: what happened, whichever channel carries it


@dataclass
class Result:
    ok: bool
    temporary: bool = False
    error: str = ""
    ref: str = ""
    delivered: bool = False  # the provider confirmed delivery (robots, inbox)


class TemporaryFailure(Exception):
    pass


class PermanentFailure(Exception):
    """Retrying cannot help (a refused address, a secret that cannot be read): the next channel."""


def secret_of(provider) -> str:
    if provider.secret_env:
        return os.environ.get(provider.secret_env, "")
    if not provider.secret_sealed:
        return ""
    try:
        return unseal(provider.secret_sealed)
    except (SecretUnreadable, KeysMissing) as exc:
        log.error("provider %s: %s", provider.uuid, exc)
        raise PermanentFailure(f"secret: {exc}") from exc


MAX_ANSWER = 64 * 1024  # a provider's answer is a small JSON object; more is not read


def http_request(
    method: str, url: str, *, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, str]:
    """(status, text) through the outbound guard; raises ``TemporaryFailure`` for network trouble
    and ``PermanentFailure`` for an address that may not be reached. A non-2xx answer's text is
    logged (host and path, never the query: robots carry their key there)."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})  # noqa: S310
    try:
        with outbound.open_url(req, timeout=TIMEOUT) as resp:
            return resp.status, resp.read(MAX_ANSWER).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        text = exc.read(MAX_ANSWER).decode("utf-8", "replace")
        parts = urlsplit(url)
        log.warning("%s %s%s answered %s: %s", method, parts.netloc, parts.path, exc.code, text[:500])
        return exc.code, text
    except outbound.Refused as exc:
        if exc.kind == "unresolved":  # DNS trouble passes
            raise TemporaryFailure(f"network: {exc}") from exc
        raise PermanentFailure(f"refused: {exc}") from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        raise TemporaryFailure(f"network: {getattr(exc, 'reason', exc)}") from exc


_CODE = re.compile(r"[A-Za-z0-9_.:\-]{1,64}")


def provider_code(value: object) -> str:
    """A provider's error code as shown to users: a short token, or "?" (never free text)."""
    text = str(value)
    return text if _CODE.fullmatch(text) else "?"


def http_failure(status: int, text: str) -> Result | None:
    """A failed Result for a non-2xx answer (3xx too: redirects are not followed), with the status
    only; the answer's text is in the log."""
    if status >= 500 or status == 429:
        return Result(False, temporary=True, error=f"HTTP {status}")
    if status >= 300:
        suffix = " (redirects are not followed)" if status < 400 else ""
        return Result(False, error=f"HTTP {status}{suffix}")
    return None


def json_object(text: str) -> dict:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def is_code(provider, params: dict[str, str]) -> bool:
    """A verification code travels in the provider's approved verification template."""
    return bool(params.get("code"))


def template(provider, params: dict[str, str], key: str) -> str:
    if is_code(provider, params):
        return str(provider.params.get(f"verify_{key}") or provider.params.get(key, ""))
    return str(provider.params.get(key, ""))


# Template variables that are links: never cut (a cut link is useless).
LINK_PARAMS = frozenset({"link", "ack_link"})


def template_params(provider, params: dict[str, str], default_len: int) -> list[tuple[str, str]]:
    """The approved template's variables in order, each cut to the provider's length limit (links
    are never cut: a cut link is useless)."""
    if is_code(provider, params):
        return [("code", params["code"])]
    names = provider.params.get("template_params") or ["title"]
    limit = int(provider.params.get("max_param_len") or default_len)
    out = []
    for name in names:
        value = str(params.get(name, ""))
        if name not in LINK_PARAMS and len(value) > limit:
            value = value[: limit - 1] + "…"
        out.append((name, value))
    return out


def robot_result(status: int, text: str, code_key: str, temporary_codes: set[int]) -> Result:
    failure = http_failure(status, text)
    if failure:
        return failure
    data = json_object(text)
    code = data.get(code_key, data.get("StatusCode", 0))
    if code in (0, "0"):
        return Result(True, delivered=True)
    log.warning("robot answered %s: %s", code, str(data.get("errmsg") or data.get("msg") or "")[:500])
    try:
        temporary = int(code) in temporary_codes
    except (TypeError, ValueError):
        temporary = False
    return Result(False, temporary=temporary, error=f"code {provider_code(code)}")


def post_json(url: str, body: dict) -> tuple[int, str]:
    return http_request(
        "POST",
        url,
        body=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )

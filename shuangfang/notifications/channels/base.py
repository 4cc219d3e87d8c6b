"""What every channel shares: the message and the result, the provider's secret, HTTP with a timeout
(network trouble is a temporary failure), the approved template's variables, and the robots'
answer."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from shuangfang.notifications.sealing import unseal

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


def http_request(
    method: str, url: str, *, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, str]:
    """(status, text); raises ``TemporaryFailure`` for network trouble."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:  # noqa: S310
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        raise TemporaryFailure(f"network: {getattr(exc, 'reason', exc)}") from exc


class TemporaryFailure(Exception):
    pass


def http_failure(status: int, text: str) -> Result | None:
    if status >= 500 or status == 429:
        return Result(False, temporary=True, error=f"HTTP {status}: {text[:200]}")
    if status >= 400:
        return Result(False, error=f"HTTP {status}: {text[:200]}")
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
        if name != "link" and len(value) > limit:
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
    return Result(
        False,
        temporary=int(code) in temporary_codes,
        error=f"{code}: {data.get('errmsg') or data.get('msg', '')}",
    )


def post_json(url: str, body: dict) -> tuple[int, str]:
    return http_request(
        "POST",
        url,
        body=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )

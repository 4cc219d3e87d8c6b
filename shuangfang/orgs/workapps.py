"""WeCom (企业微信) and DingTalk (钉钉) as the institution's own work apps: the app's access token
(fetched once and cached until shortly before it expires), a work message to one person, and the
scan-to-log-in code exchange. Off unless configured (``WECOM_CORP_ID`` / ``DINGTALK_APP_KEY``;
docs/operations.md "Work apps"). Notifications send through :func:`send_text`; the login pages are
``orgs.workapp_views``.

The request shapes are the providers' published server APIs (docs/operations.md cites them):

* WeCom: ``GET /cgi-bin/gettoken?corpid&corpsecret`` → ``access_token``, ``expires_in``;
  ``POST /cgi-bin/message/send?access_token`` with ``touser``, ``msgtype=text``, ``agentid``,
  ``text.content``; ``GET /cgi-bin/auth/getuserinfo?access_token&code`` → ``userid``;
  ``POST /cgi-bin/user/getuserid`` with ``mobile`` → ``userid``. Every answer has ``errcode``
  (0 = ok; 40014/42001 = the token is invalid or expired: fetched again once).
* DingTalk: ``GET /gettoken?appkey&appsecret`` → ``access_token``, ``expires_in``;
  ``POST /topapi/message/corpconversation/asyncsend_v2?access_token`` with ``agent_id``,
  ``userid_list``, ``msg`` → ``task_id``; ``POST /topapi/v2/user/getbymobile`` → ``result.userid``;
  the login: ``POST {DINGTALK_LOGIN_API}/v1.0/oauth2/userAccessToken`` (``clientId``,
  ``clientSecret``, ``code``, ``grantType``) → ``accessToken``, then
  ``GET /v1.0/contact/users/me`` (header ``x-acs-dingtalk-access-token``) → ``unionId``,
  ``mobile``; ``POST /topapi/user/getbyunionid`` with ``unionid`` → ``result.userid``.

A person is matched by ``WECOM_MATCH`` / ``DINGTALK_MATCH``: ``username`` (the work app's user id is
the login name here, the usual set-up when accounts are created from one list) or ``mobile`` (the
person's mobile phone on file).

The base URLs are settings (not user input): a government private deployment (政务微信, 浙政钉) or
the tests' local simulator is reached by changing them.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)

TIMEOUT = 8.0
TOKEN_MARGIN = 300  # seconds before the provider's expiry when a new token is fetched
WECOM, DINGTALK = "wecom", "dingtalk"
_EXPIRED = {WECOM: {40014, 42001}, DINGTALK: {40014, 42001, 88}}


class WorkAppError(Exception):
    """The provider could not be reached (``temporary``) or refused (``code``: its errcode)."""

    def __init__(self, message: str, *, code: int | None = None, temporary: bool = False) -> None:
        super().__init__(message)
        self.code, self.temporary = code, temporary


def enabled(app: str) -> bool:
    if app == WECOM:
        return bool(settings.WECOM_CORP_ID and settings.WECOM_SECRET and settings.WECOM_AGENT_ID)
    if app == DINGTALK:
        return bool(settings.DINGTALK_APP_KEY and settings.DINGTALK_APP_SECRET and settings.DINGTALK_AGENT_ID)
    return False


def _http(method: str, url: str, body: dict | None = None, headers: dict[str, str] | None = None) -> dict:
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    hdrs = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    req = urllib.request.Request(url, data=data, method=method, headers=hdrs)  # noqa: S310 - settings' URL
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:  # noqa: S310
            text = resp.read(64 * 1024).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        raise WorkAppError(f"HTTP {exc.code}", temporary=exc.code >= 500 or exc.code == 429) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise WorkAppError(f"network: {exc.__class__.__name__}", temporary=True) from None
    try:
        answer = json.loads(text)
    except ValueError:
        raise WorkAppError("not JSON", temporary=True) from None
    return answer if isinstance(answer, dict) else {}


def _check(app: str, answer: dict) -> dict:
    code = answer.get("errcode", 0)
    if code not in (0, None):
        log.warning("%s answered errcode %s: %s", app, code, str(answer.get("errmsg", ""))[:200])
        # -1: the provider is busy (both document it as "系统繁忙"): try again later.
        raise WorkAppError(f"errcode {code}", code=int(code), temporary=code == -1)
    return answer


# --- Access token --------------------------------------------------------------------------------


def _token_key(app: str) -> str:
    ident = (
        settings.WECOM_CORP_ID + str(settings.WECOM_AGENT_ID) if app == WECOM else settings.DINGTALK_APP_KEY
    )
    return f"workapp:token:{app}:{ident}"


def access_token(app: str, *, fresh: bool = False) -> str:
    """The app's access token, from the cache while it is valid (both providers allow a limited
    number of token fetches a day, and an access token lasts 7,200 s)."""
    key = _token_key(app)
    if not fresh and (token := cache.get(key)):
        return token
    if app == WECOM:
        query = {"corpid": settings.WECOM_CORP_ID, "corpsecret": settings.WECOM_SECRET}
        answer = _check(
            app, _http("GET", f"{settings.WECOM_API}/cgi-bin/gettoken?{urllib.parse.urlencode(query)}")
        )
    else:
        query = {"appkey": settings.DINGTALK_APP_KEY, "appsecret": settings.DINGTALK_APP_SECRET}
        answer = _check(
            app, _http("GET", f"{settings.DINGTALK_API}/gettoken?{urllib.parse.urlencode(query)}")
        )
    token = str(answer.get("access_token") or "")
    if not token:
        raise WorkAppError("no access_token in the answer", temporary=True)
    ttl = int(answer.get("expires_in") or 7200) - TOKEN_MARGIN
    cache.set(key, token, max(ttl, 60))
    return token


def _call(app: str, method: str, path: str, body: dict | None = None, query: dict | None = None) -> dict:
    """One API call with the access token; an expired token is fetched again and the call retried once."""
    base = settings.WECOM_API if app == WECOM else settings.DINGTALK_API
    for attempt in (0, 1):
        params = {"access_token": access_token(app, fresh=attempt == 1), **(query or {})}
        answer = _http(method, f"{base}{path}?{urllib.parse.urlencode(params)}", body)
        if answer.get("errcode") in _EXPIRED[app] and attempt == 0:
            cache.delete(_token_key(app))
            continue
        return _check(app, answer)
    raise AssertionError("unreachable")


# --- Work messages -------------------------------------------------------------------------------


def userid_by_mobile(app: str, mobile: str) -> str:
    key = f"workapp:mobile:{app}:{mobile}"
    if found := cache.get(key):
        return found
    if app == WECOM:
        userid = str(_call(app, "POST", "/cgi-bin/user/getuserid", {"mobile": mobile}).get("userid") or "")
    else:
        answer = _call(app, "POST", "/topapi/v2/user/getbymobile", {"mobile": mobile})
        userid = str((answer.get("result") or {}).get("userid") or "")
    if not userid:
        raise WorkAppError("no user with this mobile", code=60111)
    cache.set(key, userid, 24 * 3600)
    return userid


def send_text(app: str, address: str, text: str) -> str:
    """A work message to one person; ``address`` is their user id in the app (``username`` match)
    or their mobile (``mobile`` match). Returns the provider's message or task id."""
    match = settings.WECOM_MATCH if app == WECOM else settings.DINGTALK_MATCH
    userid = userid_by_mobile(app, address) if match == "mobile" else address
    if app == WECOM:
        body = {
            "touser": userid,
            "msgtype": "text",
            "agentid": int(settings.WECOM_AGENT_ID),
            "text": {"content": text[:2000]},
            "safe": 0,
        }
        answer = _call(app, "POST", "/cgi-bin/message/send", body)
        if answer.get("invaliduser"):
            raise WorkAppError(f"invalid user {answer['invaliduser']}", code=81013)
        return str(answer.get("msgid") or "")
    body = {
        "agent_id": int(settings.DINGTALK_AGENT_ID),
        "userid_list": userid,
        "msg": {"msgtype": "text", "text": {"content": text[:2000]}},
    }
    return str(_call(app, "POST", "/topapi/message/corpconversation/asyncsend_v2", body).get("task_id") or "")


# --- Scan to log in ------------------------------------------------------------------------------


def login_url(app: str, redirect_uri: str, state: str) -> str:
    """The provider's QR-code page; after the scan the browser comes back with ``code`` (WeCom)
    or ``authCode`` (DingTalk) and ``state``."""
    if app == WECOM:
        query = {
            "login_type": "CorpApp",
            "appid": settings.WECOM_CORP_ID,
            "agentid": str(settings.WECOM_AGENT_ID),
            "redirect_uri": redirect_uri,
            "state": state,
        }
        return f"{settings.WECOM_LOGIN_URL}?{urllib.parse.urlencode(query)}"
    query = {
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "client_id": settings.DINGTALK_APP_KEY,
        "scope": "openid",
        "state": state,
        "prompt": "consent",
    }
    return f"{settings.DINGTALK_LOGIN_URL}?{urllib.parse.urlencode(query)}"


@dataclass(frozen=True)
class Identity:
    userid: str
    mobile: str = ""


def identity_from_code(app: str, code: str) -> Identity:
    """Who scanned: the login code exchanged for the person's user id (and mobile when given)."""
    if app == WECOM:
        answer = _call(app, "GET", "/cgi-bin/auth/getuserinfo", query={"code": code})
        userid = str(answer.get("userid") or answer.get("UserId") or "")
        if not userid:  # an outsider (openid only): not a member of the organisation
            raise WorkAppError("not a member of the organisation", code=0)
        mobile = ""
        if settings.WECOM_MATCH == "mobile":
            mobile = str(_call(app, "GET", "/cgi-bin/user/get", query={"userid": userid}).get("mobile") or "")
        return Identity(userid, mobile)
    base = settings.DINGTALK_LOGIN_API
    token = _http(
        "POST",
        f"{base}/v1.0/oauth2/userAccessToken",
        {
            "clientId": settings.DINGTALK_APP_KEY,
            "clientSecret": settings.DINGTALK_APP_SECRET,
            "code": code,
            "grantType": "authorization_code",
        },
    ).get("accessToken")
    if not token:
        raise WorkAppError("the login code was refused", code=0)
    me = _http("GET", f"{base}/v1.0/contact/users/me", headers={"x-acs-dingtalk-access-token": str(token)})
    union = str(me.get("unionId") or "")
    if not union:
        raise WorkAppError("no unionId", code=0)
    answer = _call(app, "POST", "/topapi/user/getbyunionid", {"unionid": union})
    userid = str((answer.get("result") or {}).get("userid") or "")
    if not userid:
        raise WorkAppError("not a member of the organisation", code=0)
    return Identity(userid, str(me.get("mobile") or ""))

"""A local stand-in for the WeCom and DingTalk server APIs (``orgs.workapps``). It checks each
request against the shape the providers document (written here independently of the client: the
query parameters, the JSON fields and their types) and answers as they do, errcode included. A
request that does not match is answered with an error and recorded with the reason."""

from __future__ import annotations

import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CORP_ID, WECOM_SECRET, WECOM_AGENT = "ww-corp-1", "wecom-secret", "1000002"
DING_KEY, DING_SECRET, DING_AGENT = "ding-key-1", "ding-secret", "2000003"


@dataclass
class Sim:
    server: ThreadingHTTPServer
    # WeCom userid / DingTalk userid -> mobile; the login codes -> userid (WeCom) or unionId (DingTalk)
    people: dict[str, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)
    unions: dict[str, str] = field(default_factory=dict)  # DingTalk unionId -> userid
    tokens: dict[str, int] = field(default_factory=lambda: {"wecom": 0, "dingtalk": 0})  # fetches
    sent: list[dict[str, Any]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    expired: set[str] = field(default_factory=set)  # tokens to answer 42001 for
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def token(self, app: str) -> str:
        return f"{app}-token-{self.tokens[app]}"


def _err(code: int, msg: str) -> dict:
    return {"errcode": code, "errmsg": msg}


def _wecom(sim: Sim, method: str, path: str, q: dict, body: dict) -> dict:
    if path == "/cgi-bin/gettoken":
        if method != "GET" or q.get("corpid") != CORP_ID or q.get("corpsecret") != WECOM_SECRET:
            return _err(40001, "invalid credential")
        sim.tokens["wecom"] += 1
        return {"errcode": 0, "errmsg": "ok", "access_token": sim.token("wecom"), "expires_in": 7200}
    token = q.get("access_token", "")
    if token in sim.expired:
        return _err(42001, "access_token expired")
    if token != sim.token("wecom"):
        return _err(40014, "invalid access_token")
    if path == "/cgi-bin/message/send" and method == "POST":
        if not isinstance(body.get("agentid"), int) or str(body["agentid"]) != WECOM_AGENT:
            return _err(40056, "invalid agentid")
        if body.get("msgtype") != "text" or not isinstance(body.get("text", {}).get("content"), str):
            return _err(40008, "invalid message type")
        if not body.get("touser"):
            return _err(40031, "invalid user list")
        unknown = [u for u in str(body["touser"]).split("|") if u not in sim.people]
        sim.sent.append({"app": "wecom", **body})
        answer = {"errcode": 0, "errmsg": "ok", "msgid": f"msg-{len(sim.sent)}"}
        if unknown:
            answer["invaliduser"] = "|".join(unknown)
        return answer
    if path == "/cgi-bin/auth/getuserinfo" and method == "GET":
        userid = sim.codes.pop(q.get("code", ""), None)  # a code is good once
        return {"errcode": 0, "errmsg": "ok", "userid": userid} if userid else _err(40029, "invalid code")
    if path == "/cgi-bin/user/getuserid" and method == "POST":
        found = next((u for u, m in sim.people.items() if m == body.get("mobile")), None)
        return {"errcode": 0, "errmsg": "ok", "userid": found} if found else _err(46004, "user not found")
    if path == "/cgi-bin/user/get" and method == "GET":
        userid = q.get("userid", "")
        return {"errcode": 0, "userid": userid, "mobile": sim.people.get(userid, "")}
    return _err(404, f"unknown wecom path {path}")


def _ding(sim: Sim, method: str, path: str, q: dict, body: dict, headers: dict) -> dict | tuple[int, dict]:
    if path == "/gettoken":
        if method != "GET" or q.get("appkey") != DING_KEY or q.get("appsecret") != DING_SECRET:
            return _err(40089, "invalid appkey or appsecret")
        sim.tokens["dingtalk"] += 1
        return {"errcode": 0, "errmsg": "ok", "access_token": sim.token("dingtalk"), "expires_in": 7200}
    if path == "/v1.0/oauth2/userAccessToken" and method == "POST":
        ok = body.get("clientId") == DING_KEY and body.get("clientSecret") == DING_SECRET
        union = (
            sim.codes.pop(str(body.get("code")), None)
            if ok and body.get("grantType") == "authorization_code"
            else None
        )
        if union is None:
            return 400, {"code": "invalidAuthCode", "message": "bad code"}
        return {"accessToken": f"user-{union}", "refreshToken": "r", "expireIn": 7200}
    if path == "/v1.0/contact/users/me" and method == "GET":
        union = headers.get("x-acs-dingtalk-access-token", "").removeprefix("user-")
        if union not in sim.unions:
            return 401, {"code": "InvalidAuthentication", "message": "bad token"}
        return {"unionId": union, "nick": "n", "mobile": sim.people.get(sim.unions[union], "")}
    token = q.get("access_token", "")
    if token in sim.expired:
        return _err(42001, "access_token expired")
    if token != sim.token("dingtalk"):
        return _err(40014, "invalid access_token")
    if path == "/topapi/message/corpconversation/asyncsend_v2" and method == "POST":
        if not isinstance(body.get("agent_id"), int) or str(body["agent_id"]) != DING_AGENT:
            return _err(400001, "invalid agent_id")
        msg = body.get("msg") or {}
        if msg.get("msgtype") != "text" or not isinstance((msg.get("text") or {}).get("content"), str):
            return _err(400002, "invalid msg")
        if not isinstance(body.get("userid_list"), str) or not body["userid_list"]:
            return _err(400003, "invalid userid_list")
        sim.sent.append({"app": "dingtalk", **body})
        return {"errcode": 0, "errmsg": "ok", "task_id": 256271667526, "request_id": "r1"}
    if path == "/topapi/v2/user/getbymobile" and method == "POST":
        found = next((u for u, m in sim.people.items() if m == body.get("mobile")), None)
        return {"errcode": 0, "result": {"userid": found}} if found else _err(60121, "user not found")
    if path == "/topapi/user/getbyunionid" and method == "POST":
        userid = sim.unions.get(str(body.get("unionid")))
        return {"errcode": 0, "result": {"userid": userid}} if userid else _err(60121, "user not found")
    return _err(404, f"unknown dingtalk path {path}")


def start() -> Sim:
    holder: dict[str, Sim] = {}

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, method: str) -> None:
            sim = holder["sim"]
            parts = urllib.parse.urlsplit(self.path)
            q = dict(urllib.parse.parse_qsl(parts.query))
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body = json.loads(raw) if raw else {}
            except ValueError:
                body = {}
            headers = {k.lower(): v for k, v in self.headers.items()}
            app, path = parts.path.split("/", 2)[1], "/" + parts.path.split("/", 2)[2]
            answer: dict | tuple[int, dict]
            with sim.lock:
                answer = (
                    _wecom(sim, method, path, q, body)
                    if app == "wecom"
                    else _ding(sim, method, path, q, body, headers)
                )
            status = 200
            if isinstance(answer, tuple):
                status, answer = answer
            if isinstance(answer, dict) and answer.get("errcode", 0) != 0:
                sim.refused.append(f"{path}: {answer['errmsg']}")
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802
            self._answer("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._answer("POST")

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder["sim"] = sim = Sim(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return sim


def configure(settings, sim: Sim, *, match: str = "username") -> None:
    """Point both apps at the simulator (``/wecom`` and ``/dingtalk`` prefixes)."""
    settings.WECOM_CORP_ID, settings.WECOM_SECRET, settings.WECOM_AGENT_ID = (
        CORP_ID,
        WECOM_SECRET,
        WECOM_AGENT,
    )
    settings.WECOM_API = sim.url + "/wecom"
    settings.WECOM_LOGIN_URL = "https://login.work.weixin.qq.com/wwlogin/sso/login"
    settings.DINGTALK_APP_KEY, settings.DINGTALK_APP_SECRET = DING_KEY, DING_SECRET
    settings.DINGTALK_AGENT_ID = DING_AGENT
    settings.DINGTALK_API = settings.DINGTALK_LOGIN_API = sim.url + "/dingtalk"
    settings.WECOM_MATCH = settings.DINGTALK_MATCH = match

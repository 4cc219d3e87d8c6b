"""A local HTTP server standing in for the providers. It checks each request the way the provider
documents it (the checks are written here independently of the adapters) and answers like the
provider would; ``mode`` makes it fail (500, slow) to exercise retries."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = "test-secret-键"
LEAK = "INTERNAL-ONLY-answer-of-a-private-service"


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    verdict: str  # "ok" or why the check failed


@dataclass
class Receiver:
    server: ThreadingHTTPServer
    seen: list[Seen] = field(default_factory=list)
    mode: str = "ok"  # ok | 500 | slow | error | redirect (302 to /hook) | leak (403 with a body)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def ok(self) -> list[Seen]:
        return [s for s in self.seen if s.verdict == "ok"]


# --- Independent checks -------------------------------------------------------------------------


def _pct(s: str) -> str:
    # Aliyun: java URLEncoder, then "+"→"%20", "*"→"%2A", "%7E"→"~".
    return urllib.parse.quote_plus(s, safe="").replace("+", "%20").replace("*", "%2A").replace("%7E", "~")


def check_aliyun(query: dict[str, str], action: str) -> str:
    sig = query.pop("Signature", "")
    for key in ("AccessKeyId", "SignatureNonce", "Timestamp"):
        if not query.get(key):
            return f"missing {key}"
    if query.get("SignatureMethod") != "HMAC-SHA1" or query.get("SignatureVersion") != "1.0":
        return "wrong signature method"
    if query.get("Action") != action or query.get("Version") != "2017-05-25":
        return "wrong action/version"
    canonical = "&".join(f"{_pct(k)}={_pct(query[k])}" for k in sorted(query))
    to_sign = "GET&%2F&" + _pct(canonical)
    want = base64.b64encode(
        hmac.new((SECRET + "&").encode(), to_sign.encode(), hashlib.sha1).digest()
    ).decode()
    return "ok" if hmac.compare_digest(sig, want) else "bad signature"


def check_tc3(headers: dict[str, str], body: bytes, service: str = "sms") -> str:
    auth = headers.get("authorization", "")
    ts = headers.get("x-tc-timestamp", "")
    expected = {"sms": ("SendSms", "2021-01-11"), "vms": ("SendTtsVoice", "2020-09-02")}[service]
    if (headers.get("x-tc-action"), headers.get("x-tc-version")) != expected:
        return "wrong action/version"
    if abs(int(ts or 0) - time.time()) > 300:
        return "stale timestamp"
    date = time.strftime("%Y-%m-%d", time.gmtime(int(ts)))
    ct, host = headers.get("content-type", ""), headers.get("host", "")
    creq = (
        f"POST\n/\n\ncontent-type:{ct}\nhost:{host}\n\ncontent-type;host\n" + hashlib.sha256(body).hexdigest()
    )
    scope = f"{date}/{service}/tc3_request"
    sts = f"TC3-HMAC-SHA256\n{ts}\n{scope}\n" + hashlib.sha256(creq.encode()).hexdigest()
    k = hmac.new(("TC3" + SECRET).encode(), date.encode(), hashlib.sha256).digest()
    k = hmac.new(k, service.encode(), hashlib.sha256).digest()
    k = hmac.new(k, b"tc3_request", hashlib.sha256).digest()
    sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    want = f"TC3-HMAC-SHA256 Credential=AKIDtest/{scope}, SignedHeaders=content-type;host, Signature={sig}"
    return "ok" if auth == want else "bad signature"


def check_dingtalk(query: dict[str, str]) -> str:
    ts = query.get("timestamp", "")
    if abs(int(ts or 0) / 1000 - time.time()) > 3600:
        return "stale timestamp"
    mac = hmac.new(SECRET.encode(), f"{ts}\n{SECRET}".encode(), hashlib.sha256).digest()
    # parse_qs already URL-decoded the sign once.
    return "ok" if query.get("sign") == base64.b64encode(mac).decode() else "bad signature"


def check_feishu(body: dict) -> str:
    ts = body.get("timestamp", "")
    mac = hmac.new(f"{ts}\n{SECRET}".encode(), b"", hashlib.sha256).digest()
    return "ok" if body.get("sign") == base64.b64encode(mac).decode() else "bad signature"


def check_webhook(headers: dict[str, str], body: bytes) -> str:
    ts = headers.get("x-shuangfang-timestamp", "")
    want = "sha256=" + hmac.new(SECRET.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    return "ok" if hmac.compare_digest(headers.get("x-shuangfang-signature", ""), want) else "bad signature"


def _answer(path: str, query: dict, headers: dict, body: bytes) -> tuple[str, int, dict]:
    """(verdict, status, JSON answer) as the provider would give it."""
    if path.startswith("/aliyun-sms"):
        v = check_aliyun(dict(query), "SendSms")
        return (
            v,
            200,
            (
                {"Code": "OK", "BizId": "biz-1", "Message": "OK"}
                if v == "ok"
                else {"Code": "SignatureDoesNotMatch", "Message": v}
            ),
        )
    if path.startswith("/aliyun-voice"):
        v = check_aliyun(dict(query), "SingleCallByTts")
        return (
            v,
            200,
            (
                {"Code": "OK", "CallId": "call-1"}
                if v == "ok"
                else {"Code": "SignatureDoesNotMatch", "Message": v}
            ),
        )
    if path.startswith("/tencent-voice"):
        v = check_tc3(headers, body, service="vms")
        data = json.loads(body)
        if v == "ok" and not (data["CalledNumber"].startswith("+86") and data["VoiceSdkAppid"]):
            v = "bad request"
        if v != "ok":
            error = {"Code": "AuthFailure.SignatureFailure", "Message": v}
            return v, 200, {"Response": {"Error": error, "RequestId": "r"}}
        return (
            v,
            200,
            {"Response": {"SendStatus": {"CallId": "vms-call-1", "SessionContext": ""}, "RequestId": "r"}},
        )
    if path.startswith("/tencent"):
        v = check_tc3(headers, body)
        if v != "ok":
            return (
                v,
                200,
                {
                    "Response": {
                        "Error": {"Code": "AuthFailure.SignatureFailure", "Message": v},
                        "RequestId": "r",
                    }
                },
            )
        data = json.loads(body)
        return (
            v,
            200,
            {
                "Response": {
                    "SendStatusSet": [
                        {"SerialNo": "s-1", "PhoneNumber": data["PhoneNumberSet"][0], "Code": "Ok"}
                    ],
                    "RequestId": "r",
                }
            },
        )
    if path.startswith("/dingtalk"):
        v = check_dingtalk(query) if query.get("access_token") == "ding-token" else "bad token"
        return v, 200, ({"errcode": 0, "errmsg": "ok"} if v == "ok" else {"errcode": 310000, "errmsg": v})
    if path.startswith("/feishu/hook/feishu-key"):
        v = check_feishu(json.loads(body))
        return v, 200, ({"code": 0, "msg": "success"} if v == "ok" else {"code": 19021, "msg": v})
    if path.startswith("/wecom"):
        v = "ok" if query.get("key") == "wecom-key" else "bad key"
        return v, 200, ({"errcode": 0, "errmsg": "ok"} if v == "ok" else {"errcode": 93000, "errmsg": v})
    if path.startswith("/hook"):
        v = check_webhook(headers, body)
        return v, 200 if v == "ok" else 401, {"ok": v == "ok"}
    return "unknown path", 404, {}


def start(host: str = "127.0.0.1") -> Receiver:
    holder: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _handle(self):
            rec = holder["r"]
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urllib.parse.urlsplit(self.path)
            query = {k: v[0] for k, v in urllib.parse.parse_qs(parts.query, keep_blank_values=True).items()}
            headers = {k.lower(): v for k, v in self.headers.items()}
            if rec.mode == "500":
                verdict, status, answer = "provider down", 500, {"error": "down"}
            elif rec.mode == "redirect":
                verdict, status, answer = "redirected", 302, {}
            elif rec.mode == "leak":
                verdict, status, answer = "leak", 403, {"internal": LEAK}
            elif rec.mode == "slow":
                time.sleep(1.5)
                verdict, status, answer = "too slow", 200, {}
            else:
                verdict, status, answer = _answer(parts.path, query, headers, body)
            with rec.lock:
                rec.seen.append(Seen(self.command, parts.path, query, headers, body, verdict))
            out = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            if rec.mode == "redirect":
                self.send_header("Location", rec.url + "/hook")
            self.end_headers()
            self.wfile.write(out)

        do_GET = _handle
        do_POST = _handle

    server = ThreadingHTTPServer((host, 0), Handler)
    server.daemon_threads = True
    rec = Receiver(server)
    holder["r"] = rec
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return rec

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_and_local(settings):
    settings.OUTBOUND_ALLOW = ["127.0.0.1/32"]
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_TIMEOUT = 1
    with translation.override("en"):
        yield


@dataclass
class Hook:
    """A subscriber's endpoint: checks each request independently (HMAC over timestamp.body, a
    replay window of 300 s against its own clock, duplicates by delivery id) and answers as told."""

    secret: str = ""
    mode: str = "ok"  # ok | 500 | slow | garbage
    seen: list[dict] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def judge(self, headers, body: bytes) -> str:
        ts = headers.get("X-Shuangfang-Timestamp", "")
        want = (
            "sha256=" + hmac.new(self.secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
        )
        if not hmac.compare_digest(want, headers.get("X-Shuangfang-Signature", "")):
            return "bad signature"
        if not ts.isdigit() or abs(time.time() - int(ts)) > 300:
            return "stale"
        delivery = headers.get("X-Shuangfang-Delivery", "")
        if delivery in self.ids:
            return "duplicate"
        self.ids.add(delivery)
        return "ok"


@pytest.fixture
def hook():
    h = Hook()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            verdict = h.judge(self.headers, body)
            h.seen.append({"verdict": verdict, "body": json.loads(body), "headers": dict(self.headers)})
            if h.mode == "slow":
                time.sleep(2)
            code = 500 if h.mode == "500" else 200
            if verdict == "bad signature":
                code = 401
            self.send_response(code)
            self.end_headers()
            self.wfile.write(b"\x00\xffgarbage" if h.mode == "garbage" else b"ok")

    h.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    h.server.daemon_threads = True
    threading.Thread(target=h.server.serve_forever, daemon=True).start()
    yield h
    h.server.shutdown()


@pytest.fixture
def not_http():
    """A receiver that answers a request with bytes that are not HTTP at all (http.client raises
    BadStatusLine, which is no OSError); yields its base URL."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _addr = server.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    conn.recv(65536)
                    conn.sendall(b"\x00\xff garbage\r\n\r\n")
                except OSError:
                    pass

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    server.close()

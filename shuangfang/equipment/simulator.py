"""A local simulated recorder for the tests and the demo: a threaded HTTP server answering the
ISAPI-style content search (``POST /ISAPI/ContentMgmt/search``) from a table of recordings per
track, in pages, the way a recorder does (``MORE`` until the last page). A mode per server makes it
answer garbage, hang past the client's timeout, or refuse."""

from __future__ import annotations

import datetime as dt
import threading
import time
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NS = "http://www.hikvision.com/ver20/XMLSchema"


def _result(search_id: str, spans: list[tuple[dt.datetime, dt.datetime]], more: bool, track: str) -> bytes:
    items = "".join(
        f"<searchMatchItem><sourceID>{{0000}}</sourceID><trackID>{track}</trackID><timeSpan>"
        f"<startTime>{s.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%SZ}</startTime>"
        f"<endTime>{e.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%SZ}</endTime></timeSpan>"
        f"<mediaSegmentDescriptor><contentType>video</contentType></mediaSegmentDescriptor></searchMatchItem>"
        for s, e in spans
    )
    status = "MORE" if more else ("OK" if spans else "NO MATCHES")
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><CMSearchResult version="2.0" xmlns="{NS}">'
        f"<searchID>{search_id}</searchID><responseStatus>true</responseStatus>"
        f"<responseStatusStrg>{status}</responseStatusStrg><numOfMatches>{len(spans)}</numOfMatches>"
        f"<matchList>{items}</matchList></CMSearchResult>"
    ).encode()


class SimulatedRecorder:
    """``tracks``: {trackID: [(start, end), …]}; ``mode``: "ok", "garbage", "hang"."""

    def __init__(
        self,
        tracks: dict[int, list[tuple[dt.datetime, dt.datetime]]],
        mode: str = "ok",
        page: int = 7,
        port: int = 0,
    ):
        self.tracks = tracks
        self.mode = mode
        self.page = page
        self.requests: list[bytes] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                owner.requests.append(body)
                if owner.mode == "hang":
                    time.sleep(3)
                if self.path != "/ISAPI/ContentMgmt/search":
                    self.send_error(404)
                    return
                if owner.mode == "garbage":
                    data = b"<html><body>Welcome to the recorder</body></html>"
                else:
                    data = owner.answer(body)
                self.send_response(200)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, body: bytes) -> bytes:
        root = ET.fromstring(body)  # noqa: S314 - a local test tool reading our own request
        text = {el.tag.rsplit("}", 1)[-1]: (el.text or "") for el in root.iter()}
        track = int(text["trackID"])
        start = dt.datetime.fromisoformat(text["startTime"].replace("Z", "+00:00"))
        end = dt.datetime.fromisoformat(text["endTime"].replace("Z", "+00:00"))
        pos = int(text["searchResultPostion"])
        spans = [(s, e) for s, e in sorted(self.tracks.get(track, [])) if e > start and s < end]
        page = spans[pos : pos + self.page]
        return _result(text["searchID"], page, pos + self.page < len(spans), str(track))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> SimulatedRecorder:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def daily_spans(first: dt.datetime, last: dt.datetime, skip: set[dt.date] | None = None):
    """One recording file per day from ``first`` to ``last`` (a day in ``skip`` is missing)."""
    out, day = [], first
    while day < last:
        nxt = min(day + dt.timedelta(days=1), last)
        if not skip or day.date() not in skip:
            out.append((day, nxt))
        day = nxt
    return out


def demo_tracks(now: dt.datetime) -> dict[int, list[tuple[dt.datetime, dt.datetime]]]:
    """The demo recorder: channel 1 holds four months, channel 2 only the last 45 days."""
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        101: daily_spans(day - dt.timedelta(days=124), now),
        201: daily_spans(day - dt.timedelta(days=45), now),
    }

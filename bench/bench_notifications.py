"""Notifications: 1,000 incidents opened at once, escalated to the person on duty by SMS (Aliyun
adapter, real HMAC-SHA1 signing) against a local HTTP receiver.

Reports, with one and with two worker processes (``manage.py notify_sweep --loop``, polling every
0.2 s, started before the burst; the burst is 1,000 ``open_incident`` calls committed at once):
  - time from incident opened to its first SMS delivery attempt (p50, p99)
  - SMS deliveries per second (incl. the inbox rows, escalation step, signing, HTTP round trip)
and the baseline: the same receiver driven by a bare loop of signed-free GET requests (urllib, one
connection per request like the adapter), in the same run. Ratio = deliveries/s ÷ baseline req/s.

Creates its own institution (new names each run) in the database named by DATABASE_URL.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from _setup import ROOT, setup

# The local receiver is on 127.0.0.1, which outbound requests may not reach unless allowed (the
# workers started below inherit this).
os.environ.setdefault("OUTBOUND_ALLOW", "127.0.0.1/32")
setup()

import json  # noqa: E402
import statistics  # noqa: E402

from _duty_desk import duty_desk  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from shuangfang.notifications import tasks  # noqa: E402
from shuangfang.notifications.incidents import open_incident  # noqa: E402
from shuangfang.notifications.models import Delivery, Incident  # noqa: E402
from shuangfang.orgs import services as orgs  # noqa: E402
from shuangfang.orgs.models import OrgKind, User  # noqa: E402

N = int(os.environ.get("BENCH_INCIDENTS", "1000"))


class Handler(BaseHTTPRequestHandler):
    count = 0

    def log_message(self, *args):
        pass

    def do_GET(self):
        Handler.count += 1
        body = b'{"Code":"OK","Message":"OK","BizId":"b"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def start_receiver() -> str:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def baseline(url: str, n: int = 1000) -> float:
    t0 = time.perf_counter()
    for i in range(n):
        with urllib.request.urlopen(f"{url}/?i={i}", timeout=5) as r:
            r.read()
    return n / (time.perf_counter() - t0)


def build(url: str):
    tag = uuid.uuid4().hex[:6]
    root = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        username=f"bench_root_{tag}", password="!", name="bench"
    )
    bureau = orgs.create_organization(actor=root, parent=None, name=f"基准民政局{tag}", kind=OrgKind.BUREAU)
    inst = orgs.create_organization(
        actor=root,
        parent=bureau,
        name=f"基准救助站{tag}",
        kind=OrgKind.INSTITUTION,
        institution_type="relief_station",
    )
    duty_desk(
        root,
        inst,
        url=url,
        username=f"duty_{tag}",
        phone="13900000001",
        template_params=["org", "title", "link"],
    )
    return inst


def run(url: str, workers: int) -> dict:
    """Workers poll (``notify_sweep --loop``); 1,000 incidents are opened in one transaction so they
    all appear at the same instant (the commit); latency is commit → each incident's first SMS
    attempt, throughput is SMS sent per second from the commit to the last one."""
    inst = build(url)
    tasks.enqueue_process_due = lambda: None  # the polling workers do the work
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "notify_sweep", "--loop", "--interval", "0.2"],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    try:
        time.sleep(4)  # let the workers start up (Django import) before the burst
        t_open = time.perf_counter()
        with transaction.atomic():  # all 1,000 become visible to the workers at the same instant
            for i in range(N):
                open_incident(
                    organization=inst,
                    kind="alarm.opened",
                    severity="critical",
                    title=f"基准告警 {i}",
                    url="/b/",
                    source_kind="bench",
                    source_uuid=f"{inst.uuid}-{i}",
                )
        committed = timezone.now()
        t0 = time.perf_counter()
        open_s = t0 - t_open
        sms = Delivery.objects.filter(organization=inst, channel="sms")
        deadline = time.time() + 600
        while sms.filter(status="sent").count() < N and time.time() < deadline:
            time.sleep(0.2)
        wall = time.perf_counter() - t0
    finally:
        for p in procs:
            p.terminate()
            p.wait()
    lat = sorted((d.first_attempt_at - committed).total_seconds() * 1000 for d in sms if d.first_attempt_at)
    sent = sms.filter(status="sent").count()
    return {
        "workers": workers,
        "incidents": N,
        "open_s": open_s,
        "sms_sent": sent,
        "duplicates": sms.count() - Incident.objects.filter(organization=inst).count(),
        "p50_ms": statistics.median(lat),
        "p99_ms": lat[min(len(lat) - 1, int(len(lat) * 0.99))],
        "deliveries_per_s": sent / wall,
    }


def main() -> None:
    url = start_receiver()
    base = baseline(url)
    rows = [run(url, 1), run(url, 2)]
    print(f"\n== notifications ({connection.vendor}, {N} incidents at once)")
    print(f"baseline: bare urllib loop against the receiver: {base:,.0f} req/s")
    print(
        f"{'workers':>8}{'open s':>9}{'sent':>7}{'dup':>5}{'p50 ms':>10}{'p99 ms':>10}"
        f"{'deliv/s':>10}{'ratio':>8}"
    )
    for r in rows:
        print(
            f"{r['workers']:>8}{r['open_s']:>9.1f}{r['sms_sent']:>7}{r['duplicates']:>5}{r['p50_ms']:>10.0f}"
            f"{r['p99_ms']:>10.0f}{r['deliveries_per_s']:>10.1f}{r['deliveries_per_s'] / base:>8.3f}"
        )
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    with open(out / "results.jsonl", "a") as fh:
        fh.write(
            json.dumps({"bench": "notifications", "time": time.time(), "baseline_rps": base, "rows": rows})
            + "\n"
        )


if __name__ == "__main__":
    main()

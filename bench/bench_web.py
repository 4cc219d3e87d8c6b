"""The web side under load (issue 16): the JSON API's 50-row hazard list and the ``/hazards/`` page,
each against a bare baseline served by the same server in the same run.

One granian (``BENCH_WEB_WORKERS``, 2) serves the product's URLs plus two bench-only ones
(``bench/webbench_urls.py``): a **bare Django view** (one indexed read, a small JSON answer, no
login) and a **bare 50-row template page** (one query, a 50 × 12 table through a template, no
login). A load generator in its own process (asyncio, ``BENCH_CONCURRENCY`` keep-alive connections,
16) hits each path for ``BENCH_SECONDS`` (10) after a 2 s warm-up, in ``BENCH_ROUNDS`` (3) rounds
that alternate the paths, so every ratio is taken a few seconds from its baseline. The load
generator shares the 2 cores with the server, the same for every path.

Prints per round and path: requests/s, p50/p95 ms, errors, the ratio to its baseline, the load
average before and after; then the spread over the rounds, and the query count of each product
path (warm: token, person and memberships cached). Goals: API ≥ 30 % of the bare view with p95 <
100 ms; page ≥ 25 % of the bare page and ≤ 10 queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sf_web_bench REDIS_URL=redis://127.0.0.1:6379/2 \\
      .venv/bin/python bench/bench_web.py

Data: one bureau, ``BENCH_INSTITUTIONS`` (20) institutions, ``BENCH_HAZARDS`` (20,000) hazards,
made once (a rerun reuses them). The bureau supervisor is the caller (the widest scope). Without
``REDIS_URL`` the caches are the database cache: say which in the figures.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

BENCH = Path(__file__).resolve().parent
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
DB_URL = os.environ.get("DATABASE_URL", "")
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "2"))
N_INST = int(os.environ.get("BENCH_INSTITUTIONS", "20"))
N_HAZARDS = int(os.environ.get("BENCH_HAZARDS", "20000"))
BUREAU = "网页基准市民政局"


# --- The load generator (a process of its own) ---------------------------------------------------


async def _one_connection(port: int, request: bytes, stop_at: float, warm_until: float, out: dict) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        while True:
            t0 = time.perf_counter()
            if t0 >= stop_at:
                return
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = None
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length is None:
                raise RuntimeError(f"no Content-Length in {head[:200]!r}")
            await reader.readexactly(length)
            t1 = time.perf_counter()
            if t0 >= warm_until:
                out["lat"].append(t1 - t0)
                if status != 200:
                    out["errors"] += 1
    finally:
        writer.close()


def _load(port: int, path: str, headers: dict[str, str], seconds: float, queue) -> None:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    out: dict = {"lat": [], "errors": 0}

    async def main() -> None:
        start = time.perf_counter()
        warm_until, stop_at = start + 2.0, start + 2.0 + seconds
        await asyncio.gather(
            *(_one_connection(port, request, stop_at, warm_until, out) for _ in range(CONCURRENCY))
        )

    asyncio.run(main())
    lat = sorted(out["lat"])
    queue.put(
        {
            "rps": len(lat) / seconds,
            "p50": statistics.median(lat) * 1000 if lat else float("nan"),
            "p95": lat[int(len(lat) * 0.95)] * 1000 if lat else float("nan"),
            "errors": out["errors"],
            "n": len(lat),
        }
    )


def hit(port: int, path: str, headers: dict[str, str]) -> dict:
    queue: multiprocessing.Queue = multiprocessing.Queue()
    proc = multiprocessing.Process(target=_load, args=(port, path, headers, SECONDS, queue))
    proc.start()
    result = queue.get(timeout=SECONDS + 120)
    proc.join()
    return result


# --- Data and server -----------------------------------------------------------------------------


def ensure_database() -> None:
    if not DB_URL.startswith("postgres"):
        return
    import psycopg

    url = urlparse(DB_URL)
    name = url.path.lstrip("/")
    with psycopg.connect(DB_URL.replace(url.path, "/postgres"), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def build() -> tuple[str, str, int]:
    """The city, its hazards, the supervisor's API token and session cookie, a hazard's pk."""
    import datetime as dt
    import random

    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from shuangfang.hazards.models import Hazard
    from shuangfang.orgs.models import ApiToken, Membership, Organization, OrgKind, TokenScope, User
    from shuangfang.orgs.roles import Role
    from shuangfang.orgs.services import hash_token

    rng = random.Random(16)
    bureau = Organization.objects.filter(name=BUREAU).first()
    if bureau is None:
        with transaction.atomic():
            bureau = Organization.objects.create(name=BUREAU, kind=OrgKind.BUREAU)
            sup = User.objects.create(username="web_bench_supervisor", name="网页基准监管", password="!")
            Membership.objects.create(user=sup, organization=bureau, role=Role.BUREAU_SUPERVISOR)
            for i in range(N_INST):
                inst = Organization.objects.create(
                    name=f"网页基准机构{i:03d}",
                    kind=OrgKind.INSTITUTION,
                    institution_type="elderly_care",
                    parent=bureau,
                )
                Organization.objects.create(name="后勤部", kind=OrgKind.DEPARTMENT, parent=inst)
    sup = User.objects.get(username="web_bench_supervisor")
    insts = list(Organization.objects.filter(parent=bureau).order_by("name"))
    depts = {d.parent_id: d for d in Organization.objects.filter(parent__in=insts)}
    have = Hazard.objects.filter(organization__parent=bureau).count()
    if have < N_HAZARDS:
        now = timezone.now()
        batch = []
        for k in range(have, N_HAZARDS):
            inst = insts[k % len(insts)]
            reported = now - dt.timedelta(days=rng.randint(0, 700), minutes=rng.randint(0, 1440))
            status = rng.choice(["closed", "closed", "closed", "rectifying", "reported"])
            closed = status == "closed"
            batch.append(
                Hazard(
                    organization=inst,
                    department=depts[inst.pk],
                    number=f"YH-{reported.year}-{k:07d}",
                    title=f"网页基准隐患 {k}",
                    description="灭火器过期、通道堆物等基准数据",
                    location=rng.choice(["厨房", "配电室", "宿舍楼二层", "大门"]),
                    source=rng.choice(["snap", "routine", "specialist"]),
                    status=status,
                    accepted_by=sup if closed else None,
                    accepted_at=reported + dt.timedelta(days=5) if closed else None,
                    closed_at=reported + dt.timedelta(days=6) if closed else None,
                    closed_on_time=True if closed else None,
                    grade="general",
                    category=rng.choice(["fire", "utilities", "food", "facilities"]),
                    reported_at=reported,
                    responsible=sup,
                    deadline=reported.date() + dt.timedelta(days=14),
                )
            )
            if len(batch) == 2000:
                Hazard.objects.bulk_create(batch)
                batch = []
        Hazard.objects.bulk_create(batch)
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as c:
                c.execute("ANALYZE")
    raw = "sf_webbench_" + "x" * 32
    ApiToken.objects.get_or_create(
        key_hash=hash_token(raw),
        defaults={"user": sup, "name": "bench", "prefix": raw[:12], "scope": TokenScope.READ},
    )
    ApiToken.objects.filter(key_hash=hash_token(raw)).update(
        revoked_at=None, expires_at=timezone.now() + dt.timedelta(days=1)
    )
    client = Client()
    client.force_login(sup)
    cookie = client.cookies["sessionid"].value
    pk = (
        Hazard.objects.filter(organization__parent=bureau).order_by("pk").values_list("pk", flat=True).first()
    )
    return raw, cookie, int(pk or 0)


def query_counts(raw: str, cookie: str) -> dict[str, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    api = Client(headers={"Authorization": f"Bearer {raw}"})
    page = Client()
    page.cookies["sessionid"] = cookie
    counts = {}
    for name, client, url in (("api", api, "/api/v1/hazards/hazards"), ("page", page, "/hazards/")):
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200, url
        counts[name] = len(ctx.captured_queries)
    return counts


def start_server(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "webbench_settings",
        "PYTHONPATH": os.pathsep.join([str(BENCH), str(BENCH.parent)]),
        "LOG_LEVEL": "WARNING",
    }
    argv = [
        str(Path(sys.executable).with_name("granian")),
        "--interface",
        "wsgi",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(WORKERS),
        "--blocking-threads",  # as the product's web command (core.serving): WEB_THREADS, 8
        os.environ.get("WEB_THREADS", "8"),
        "--log-level",
        "warning",
        "shuangfang.config.wsgi:application",
    ]
    server = subprocess.Popen(argv, env=env, cwd=str(BENCH.parent))  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("granian did not start")


def warm(port: int, paths: list) -> None:
    """Every worker imports Django and fills its caches before any figure is taken."""
    import urllib.request

    for _name, path, headers in paths:
        for _ in range(4 * WORKERS):
            req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
            with urllib.request.urlopen(req, timeout=120) as r:  # noqa: S310
                if r.status != 200:
                    raise SystemExit(f"{path}: {r.status}")
                r.read()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# long: the run reads as one story: set up, serve, alternate the paths per round, print the table.
def main() -> None:
    ensure_database()
    sys.path.insert(0, str(BENCH))
    from _setup import ROOT, setup

    setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("createcachetable")  # the default cache without REDIS_URL

    raw, cookie, pk = build()
    counts = query_counts(raw, cookie)
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    print(
        f"database {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, cache {cache}, "
        f"{os.cpu_count()} CPUs (shared: other work on the box moves every figure; read the ratios), "
        f"granian × {WORKERS}, c={CONCURRENCY}, {SECONDS:.0f} s a path, {ROUNDS} rounds"
    )
    print(f"queries per request (warm): API list {counts['api']}, /hazards/ page {counts['page']}")
    api_headers = {"Authorization": f"Bearer {raw}"}
    page_headers = {"Cookie": f"sessionid={cookie}"}
    paths = [
        ("bare view", f"/bench/bare?pk={pk}", {}),
        ("API 50-row hazard list", "/api/v1/hazards/hazards", api_headers),
        ("bare 50-row page", "/bench/bare-page", {}),
        ("/hazards/ page", "/hazards/", page_headers),
    ]
    port = free_port()
    server = start_server(port)
    rounds = []
    try:
        warm(port, paths)
        for r in range(ROUNDS):
            before = load_average()
            figures = {name: hit(port, path, headers) for name, path, headers in paths}
            rounds.append({"load_before": before, "load_after": load_average(), "figures": figures})
            _print_round(r + 1, rounds[-1])
    finally:
        server.terminate()
        server.wait(timeout=30)
    summary = _print_spread(rounds, counts)
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    with open(out / "results.jsonl", "a") as fh:
        record = {"bench": "web", "time": time.time(), "cache": cache, "queries": counts, "rounds": rounds}
        fh.write(json.dumps({**record, "summary": summary}) + "\n")


def _print_round(n: int, run: dict) -> None:
    f = run["figures"]
    print(f"\n== round {n}  (load average before {run['load_before']}, after {run['load_after']})")
    print(f"{'path':<26}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}  ratio")
    base = {"API 50-row hazard list": "bare view", "/hazards/ page": "bare 50-row page"}
    for name, fig in f.items():
        ratio = ""
        if name in base:
            ratio = f"{fig['rps'] / f[base[name]]['rps']:.0%} of {base[name]}"
        print(f"{name:<26}{fig['rps']:>9.0f}{fig['p50']:>9.1f}{fig['p95']:>9.1f}{fig['errors']:>8}  {ratio}")


def _print_spread(rounds: list[dict], counts: dict[str, int]) -> dict:
    def series(name: str, key: str) -> list[float]:
        return [r["figures"][name][key] for r in rounds]

    api = [
        a / b
        for a, b in zip(series("API 50-row hazard list", "rps"), series("bare view", "rps"), strict=True)
    ]
    page = [
        a / b for a, b in zip(series("/hazards/ page", "rps"), series("bare 50-row page", "rps"), strict=True)
    ]
    api_p95, page_p95 = series("API 50-row hazard list", "p95"), series("/hazards/ page", "p95")
    print("\n== spread over the rounds (min–max)       goal")
    print(f"API / bare view        {min(api):.0%}–{max(api):.0%}          ≥ 30 %")
    print(f"API p95                {min(api_p95):.0f}–{max(api_p95):.0f} ms        < 100 ms")
    print(f"page / bare page       {min(page):.0%}–{max(page):.0%}          ≥ 25 %")
    print(f"page p95               {min(page_p95):.0f}–{max(page_p95):.0f} ms")
    print(f"page queries           {counts['page']}               ≤ 10")
    return {"api_ratio": [min(api), max(api)], "page_ratio": [min(page), max(page)], "api_p95": api_p95}


if __name__ == "__main__":
    main()

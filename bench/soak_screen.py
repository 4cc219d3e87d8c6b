"""Big-screen soak: the bureau's 1920×1080 screen left running, as on the monitoring-room wall.

Starts the product (``manage.py serve``: granian + worker) on the demo city in a throw-away SQLite
database, opens the big screen in Chromium with a short refresh interval, reports one hazard
through the real service between samples, and at each sample checks that the screen's open-hazard
figure equals the count computed from the records. Prints, per sample: refreshes so far, failed
fetches, the JavaScript heap after a forced garbage collection, DOM nodes and event listeners, so a
leak shows as a growing column. The baseline is the first sample of the same run.

    SOAK_MINUTES=10 SOAK_REFRESH=2 .venv/bin/python bench/soak_screen.py

At 2 s a refresh, ten minutes are 300 refreshes: 50 minutes of the screen at its default 10 s.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_FILE = Path(tempfile.mkdtemp(prefix="sf-soak-")) / "soak.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{DB_FILE}"
# The ORM is used between Playwright calls in this one thread (Playwright runs an event loop).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import _setup  # noqa: E402

MINUTES = float(os.environ.get("SOAK_MINUTES", "10"))
REFRESH = int(os.environ.get("SOAK_REFRESH", "2"))
SAMPLES = int(os.environ.get("SOAK_SAMPLES", "10"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    _setup.setup()
    from django.core.management import call_command

    from shuangfang.dashboards import queries
    from shuangfang.hazards import services as hazards
    from shuangfang.hazards.choices import Source
    from shuangfang.orgs.demo import DEMO_PASSWORD
    from shuangfang.orgs.models import Organization, OrgKind, User, institutions_under

    call_command("createcachetable")
    call_command("demo", stdout=io.StringIO())
    call_command("collectstatic", interactive=False, verbosity=0)
    bureau = Organization.objects.filter(kind=OrgKind.BUREAU).order_by("depth").first()
    assert bureau is not None
    officer = User.objects.get(username="liuyang")
    place = officer.memberships.first().organization.institution
    ids = [i.pk for i in institutions_under(bureau)]

    port = free_port()
    env = {**os.environ, "SECRET_KEY": "soak-only", "ALLOWED_HOSTS": "127.0.0.1"}
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "serve", "--port", str(port), "--web-workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(60):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        run(base, bureau, ids, officer, place, DEMO_PASSWORD, hazards, Source, queries)
    finally:
        server.terminate()
        server.wait(timeout=20)


def run(base, bureau, ids, officer, place, password, hazards, source, queries) -> None:
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--js-flags=--expose-gc"])
        page = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{base}/")
        page.fill("input[name=username]", "lixiuying")
        page.fill("input[name=password]", password)
        page.click("#login-form button[type=submit]")
        page.wait_for_load_state()
        if "/accounts/login" in page.url or page.locator("#login-form").count():
            raise SystemExit("login failed: " + page.inner_text("main")[:300])
        page.goto(f"{base}/dashboards/bureaus/{bureau.uuid}/screen/?refresh={REFRESH}")
        try:
            page.wait_for_selector("#institutions tr")
        except Exception:
            raise SystemExit(f"no big screen at {page.url}: {errors}") from None
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")
        step = MINUTES * 60 / SAMPLES
        start = time.monotonic()
        for n in range(SAMPLES + 1):
            if n:
                hazards.report_hazard(
                    actor=officer,
                    organization=place,
                    description=f"大屏长时间运行测试隐患 {n}",
                    source=source.ROUTINE,
                    location="soak",
                )
                time.sleep(max(0.0, start + n * step - time.monotonic()))
                done = int(page.evaluate("document.body.dataset.refreshes || 0"))
                page.wait_for_function(
                    f"Number(document.body.dataset.refreshes || 0) > {done}", timeout=60_000
                )
            expected = queries.total(queries.figures(ids).values())["open"]
            shown = int(page.inner_text("#t-open"))
            cdp.send("HeapProfiler.collectGarbage")
            metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
            rows.append(
                {
                    "minute": (time.monotonic() - start) / 60,
                    "refreshes": int(page.evaluate("document.body.dataset.refreshes || 0")),
                    "failures": int(page.evaluate("document.body.dataset.failures || 0")),
                    "heap_mb": metrics["JSHeapUsedSize"] / 1e6,
                    "nodes": int(metrics["Nodes"]),
                    "listeners": int(metrics["JSEventListeners"]),
                    "shown": shown,
                    "expected": expected,
                }
            )
        browser.close()

    print(f"\n== big screen soak: {MINUTES:g} min at one refresh every {REFRESH} s")
    print(
        f"{'min':>6}{'refreshes':>11}{'failed':>8}{'heap MB':>9}{'nodes':>7}{'listen':>8}"
        f"{'open shown/expected':>22}"
    )
    for r in rows:
        ok = "" if r["shown"] == r["expected"] else "  MISMATCH"
        print(
            f"{r['minute']:>6.1f}{r['refreshes']:>11}{r['failures']:>8}{r['heap_mb']:>9.2f}{r['nodes']:>7}"
            f"{r['listeners']:>8}{r['shown']:>11}/{r['expected']:<10}{ok}"
        )
    first, last = rows[0], rows[-1]
    print(
        f"heap last/first ×{last['heap_mb'] / first['heap_mb']:.2f}; DOM nodes last/first "
        f"×{last['nodes'] / first['nodes']:.2f}; listeners {first['listeners']} → {last['listeners']}; "
        f"mismatches {sum(r['shown'] != r['expected'] for r in rows)}; console errors {len(errors)}"
    )
    for e in errors[:5]:
        print("  console:", e)


if __name__ == "__main__":
    main()

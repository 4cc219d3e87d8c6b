"""The snap report on a cheap phone with a bad link (issue 15): shutter → "sent" on throttled 4G.

Starts the product (``manage.py serve``) on the demo city in a throw-away SQLite database and opens
the snap report as the demo cook (杨帆) in Chromium at 360×740 with touch, with Chromium's own
throttling through the DevTools protocol: 4 Mbit/s down, 1 Mbit/s up, 60 ms latency, CPU 4× slower.
Picks a 4000×3000 camera-like JPEG of about 3 MB (the shutter), taps 提交 and waits for the
hazard's page (sent). Measured two ways, alternated, ``FIELD_BENCH_RUNS`` times each (3):

- the product: the photo is shrunk on the phone (photos.js) and sent through the outbox (outbox.js);
- the baseline of the same run: the same photo and the same form, sent without resizing (the
  input's ``data-shrink`` removed before the photo is chosen).

Prints both (median, min, max seconds; the bytes that leave the phone are asserted in
tests/e2e/test_field_phone.py, Chromium does not count a fetch's file body here) and the ratio
product / baseline. Target: the product under 10 s.

    .venv/bin/python bench/bench_field_upload.py
"""

from __future__ import annotations

import io
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TMP = Path(tempfile.mkdtemp(prefix="sf-field-"))
os.environ["DATABASE_URL"] = f"sqlite:///{TMP / 'field.sqlite3'}"
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import _setup  # noqa: E402

RUNS = int(os.environ.get("FIELD_BENCH_RUNS", "3"))
NETWORK = {
    "offline": False,
    "latency": 60,
    "downloadThroughput": 4_000_000 / 8,
    "uploadThroughput": 1_000_000 / 8,
}
CPU_SLOWDOWN = 4


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def camera_photo(path: Path) -> int:
    """A 4000×3000 JPEG of about 3 MB (noise on a coarse picture, as a phone camera's)."""
    from PIL import Image

    rnd = random.Random(15)
    coarse = Image.frombytes("RGB", (160, 120), bytes(rnd.getrandbits(8) for _ in range(160 * 120 * 3)))
    img = Image.blend(
        coarse.resize((4000, 3000), Image.Resampling.BICUBIC),
        Image.effect_noise((4000, 3000), 20).convert("RGB"),
        0.12,
    )
    img.save(path, format="JPEG", quality=92)
    return path.stat().st_size


def main() -> None:
    _setup.setup()
    from django.core.management import call_command

    from shuangfang.orgs.demo import DEMO_PASSWORD

    call_command("createcachetable")
    call_command("demo", stdout=io.StringIO())
    call_command("collectstatic", interactive=False, verbosity=0)
    photo = TMP / "IMG_0001.jpg"
    size = camera_photo(photo)
    port = free_port()
    env = {**os.environ, "SECRET_KEY": "bench-only", "ALLOWED_HOSTS": "127.0.0.1"}
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "serve", "--port", str(port), "--web-workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(120):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        rows = measure(f"http://127.0.0.1:{port}", photo, DEMO_PASSWORD)
    finally:
        server.terminate()
        server.wait(timeout=20)
    show(rows, size)


def one(browser, base: str, photo: Path, password: str, *, shrink: bool) -> tuple[float, int]:
    ctx = browser.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    page = ctx.new_page()
    page.goto(f"{base}/")
    page.fill("input[name=username]", "yangfan")
    page.fill("input[name=password]", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("h1.greeting")
    page.goto(f"{base}/hazards/report/")
    sent: list[int] = []
    page.on(
        "requestfinished",
        lambda r: sent.append(r.sizes()["requestBodySize"]) if r.method == "POST" else None,
    )
    if not shrink:
        page.evaluate("() => document.querySelector('input[name=photos]').removeAttribute('data-shrink')")
    page.fill("input[name=location]", "厨房")
    cdp = ctx.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", NETWORK)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    t0 = time.perf_counter()  # the shutter: the camera hands the photo to the page
    page.set_input_files("input[name=photos]", str(photo))
    if shrink:
        page.wait_for_selector(".photo-preview img", timeout=120_000)
    page.locator("#report-form button[type=submit]").tap()
    page.wait_for_selector("#hazard-status", timeout=300_000)  # sent: the hazard's page
    seconds = time.perf_counter() - t0
    ctx.close()
    return seconds, max(sent or [0])


def measure(base: str, photo: Path, password: str) -> dict[str, list[tuple[float, int]]]:
    from playwright.sync_api import sync_playwright

    rows: dict[str, list[tuple[float, int]]] = {"shrunk": [], "as taken": []}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for _ in range(RUNS):
            rows["shrunk"].append(one(browser, base, photo, password, shrink=True))
            rows["as taken"].append(one(browser, base, photo, password, shrink=False))
        browser.close()
    return rows


def show(rows: dict[str, list[tuple[float, int]]], size: int) -> None:
    print(
        f"\n== snap report, shutter → sent: 4/1 Mbit/s, 60 ms, CPU {CPU_SLOWDOWN}×, "
        f"a {size:,}-byte 4000×3000 photo, {RUNS} runs each"
    )
    print(f"{'':>10}{'median s':>10}{'min s':>8}{'max s':>8}")
    med = {}
    for name, got in rows.items():
        secs = [s for s, _ in got]
        med[name] = statistics.median(secs)
        print(f"{name:>10}{med[name]:>10.1f}{min(secs):>8.1f}{max(secs):>8.1f}")
    ratio = med["shrunk"] / med["as taken"]
    verdict = "met" if med["shrunk"] < 10 else "NOT met"
    print(f"shrunk / as taken ×{ratio:.2f}; target: shrunk under 10 s ({verdict})")
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    with open(out / "results.jsonl", "a") as fh:
        fh.write(
            json.dumps({"bench": "field_upload", "time": time.time(), "median_s": med, "ratio": ratio}) + "\n"
        )


if __name__ == "__main__":
    main()

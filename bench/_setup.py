"""Shared start-up for benchmark scripts: Django settings, migrations, timing helpers."""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangfang.config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")


def setup() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("i18n_compile", verbosity=0)


def timed(fn: Callable[[], object], repeat: int = 20, warmup: int = 2) -> dict[str, float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return {
        "p50_ms": statistics.median(samples),
        "p95_ms": samples[min(len(samples) - 1, int(len(samples) * 0.95))],
        "min_ms": samples[0],
    }


def report(name: str, rows: list[tuple[str, dict[str, float], str]]) -> None:
    print(f"\n== {name}")
    print(f"{'path':<48}{'p50 ms':>10}{'p95 ms':>10}  note")
    for label, fig, note in rows:
        print(f"{label:<48}{fig['p50_ms']:>10.2f}{fig['p95_ms']:>10.2f}  {note}")
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    with open(out / "results.jsonl", "a") as fh:
        fh.write(json.dumps({"bench": name, "time": time.time(), "rows": rows}, default=str) + "\n")

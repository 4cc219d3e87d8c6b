"""Downsampling run twice at once (two workers' schedulers, or a run longer than its interval) must
count each raw reading once. Issue 23 measured +58 % hourly and +25 % per-minute counts when two
runs read the same hour before either deleted it."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from shuangfang.core.tests.concurrency import at_once
from shuangfang.monitoring import rollups
from shuangfang.monitoring.ingestion import MemoryLimiter, ingest
from shuangfang.monitoring.models import Reading, Rollup

from .conftest import make_kit, telemetry


@pytest.mark.django_db(transaction=True)
def test_two_downsamples_at_once_count_every_reading_once(world, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writing transaction at a time (IMMEDIATE): no overlap to test")
    kit = make_kit(world)
    base = timezone.now().replace(minute=0, second=0, microsecond=0) - dt.timedelta(days=20)
    items = [
        (kit.meter, telemetry("EL-0001", base + dt.timedelta(seconds=30 * i), residual_current_ma=i % 7))
        for i in range(240)  # two hours, 120 readings each
    ]
    ingest(items, transport="test", now=base + dt.timedelta(hours=3), limiter=MemoryLimiter())
    assert Reading.objects.count() == 240

    # Hold each run between reading an hour and writing its rollups until the other run has read
    # it too (or 2 s pass): without serialisation both merge the same readings.
    meet = threading.Barrier(2, timeout=2)
    merge = rollups._merge

    def slow_merge(buckets):
        with contextlib.suppress(threading.BrokenBarrierError):
            meet.wait()
        return merge(buckets)

    monkeypatch.setattr(rollups, "_merge", slow_merge)
    at_once(lambda: rollups.downsample(keep_days=14))

    assert Reading.objects.count() == 0
    hourly = Rollup.objects.filter(seconds=rollups.HOUR)
    minutes = Rollup.objects.filter(seconds=rollups.MINUTE)
    assert hourly.aggregate(n=Sum("n"))["n"] == 240
    assert minutes.aggregate(n=Sum("n"))["n"] == 240
    assert sorted(hourly.values_list("n", flat=True)) == [120, 120]

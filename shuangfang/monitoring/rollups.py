"""Downsampling: raw readings older than the retention period become 1-minute and 1-hour rollups
(count, min, max, sum), hour by hour, and are then deleted. Buckets are merged with any rollup
already there (a late reading after an earlier run), so running it twice changes nothing."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Min, Sum
from django.db.models.functions import TruncMinute
from django.utils import timezone

from shuangfang.core.locks import serialised

from .models import Reading, Rollup

MINUTE, HOUR = 60, 3600


def _merge(buckets: dict[tuple[int, str, int, dt.datetime], list[float]]) -> None:
    if not buckets:
        return
    device_ids = {k[0] for k in buckets}
    times = [k[3] for k in buckets]
    existing = Rollup.objects.filter(device_id__in=device_ids, ts__gte=min(times), ts__lte=max(times))
    for r in existing:
        key = (r.device_id, r.channel, r.seconds, r.ts)
        if key in buckets:
            n, lo, hi, total = buckets[key]
            buckets[key] = [n + r.n, min(lo, r.vmin), max(hi, r.vmax), total + r.vsum]
    Rollup.objects.bulk_create(
        [
            Rollup(device_id=d, channel=c, seconds=s, ts=t, n=int(v[0]), vmin=v[1], vmax=v[2], vsum=v[3])
            for (d, c, s, t), v in buckets.items()
        ],
        update_conflicts=True,
        unique_fields=["device", "channel", "seconds", "ts"],
        update_fields=["n", "vmin", "vmax", "vsum"],
        batch_size=1000,
    )


def _roll_hour(hour: dt.datetime, end: dt.datetime) -> tuple[int, int, int]:
    raw = Reading.objects.filter(ts__gte=hour, ts__lt=end)
    minutes = (
        raw.annotate(bucket=TruncMinute("ts", tzinfo=dt.UTC))
        .values("device_id", "channel", "bucket")
        .annotate(n=Count("id"), lo=Min("value"), hi=Max("value"), total=Sum("value"))
    )
    buckets: dict[tuple[int, str, int, dt.datetime], list[float]] = {}
    hours: dict[tuple[int, str, int, dt.datetime], list[float]] = defaultdict(
        lambda: [0, float("inf"), float("-inf"), 0.0]
    )
    for m in minutes:
        buckets[(m["device_id"], m["channel"], MINUTE, m["bucket"])] = [m["n"], m["lo"], m["hi"], m["total"]]
        h = hours[(m["device_id"], m["channel"], HOUR, hour)]
        h[0] += m["n"]
        h[1], h[2], h[3] = min(h[1], m["lo"]), max(h[2], m["hi"]), h[3] + m["total"]
    _merge(buckets)
    _merge(dict(hours))
    return len(buckets), len(hours), raw.delete()[0]


def rollup_and_prune(cutoff: dt.datetime) -> dict[str, int]:
    cutoff = cutoff.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    first = Reading.objects.filter(ts__lt=cutoff).order_by("ts").values_list("ts", flat=True).first()
    done = {"readings": 0, "minutes": 0, "hours": 0}
    if first is None:
        return done
    hour = first.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    while hour < cutoff:
        end = hour + dt.timedelta(hours=1)
        with transaction.atomic():
            # Read, merge and delete the hour in one transaction that a second run waits for: a
            # second run reading the same raw readings before this one deletes them would count
            # them twice (issue 23: +58 % hourly counts with two workers).
            serialised("monitoring.rollup")
            n_minutes, n_hours, n_readings = _roll_hour(hour, end)
        done["minutes"] += n_minutes
        done["hours"] += n_hours
        done["readings"] += n_readings
        nxt = (
            Reading.objects.filter(ts__gte=end, ts__lt=cutoff)
            .order_by("ts")
            .values_list("ts", flat=True)
            .first()
        )
        if nxt is None:
            break
        hour = nxt.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    minute_days = int(getattr(settings, "MONITORING_MINUTE_ROLLUP_DAYS", 90))
    Rollup.objects.filter(seconds=MINUTE, ts__lt=cutoff - dt.timedelta(days=minute_days)).delete()
    return done


def retention_days() -> int:
    return int(getattr(settings, "MONITORING_RAW_DAYS", 14))


def downsample(*, now: dt.datetime | None = None, keep_days: int | None = None) -> dict[str, int]:
    """Aggregate raw readings older than the retention period into 1-minute and 1-hour rollups,
    then delete them. Idempotent (rollups are upserted by bucket)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=keep_days if keep_days is not None else retention_days())
    return rollup_and_prune(cutoff)

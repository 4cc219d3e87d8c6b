"""Gaps in a device's sequence numbers: messages lost before they reached the platform (the device's
network, the broker) raise ``ops.sequence_gap``.

Several listeners split a device's stream (shared subscription), so its messages arrive out of
order and in different processes; a listener slot that is down delivers its share up to an hour
late. So nothing here depends on order:

- the ingest adds each batch's new messages (redeliveries left out) to **counters per device, run
  and block** of ``BLOCK`` numbers (``SeqBlock``: lowest, highest, how many, last arrival), one
  upsert per batch; the numbers a block must hold are known whatever the order they come in;
- ``check_sequences`` (every minute) judges what has **settled** (no arrival for
  ``MONITORING_SEQ_GRACE`` seconds, and no listener slot silent for less than
  ``MONITORING_SEQ_HOLD`` that may still hold part of it): a block below the run's highest must
  hold all its numbers; the highest block, once quiet, up to its highest number. Expected minus
  received is missing; each judged span with something missing publishes one event. The cursor
  (``SeqCursor``) moves in the same transaction, so a second check judges nothing twice.

A **run** is ``(device, boot)``: a device that restarts its counter sends a new ``boot`` and starts
a new run. Without a ``boot``, a restart shows as numbers below the judged point: the run's counters
are dropped unjudged and the check starts over from what comes next (no alarm, one stretch
unjudged)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext_lazy

from shuangfang.core import events, messages
from shuangfang.core.pgarrays import int_array, text_array
from shuangfang.core.vocabulary import Severity

from .models import Device, ListenerBeat, SeqBlock, SeqCursor

messages.register(
    {
        "ops.sequence_gap": gettext_lazy(
            "Device %(code)s: %(n)s messages lost (sequence numbers %(first)s to %(last)s); check its "
            "network and the broker"
        )
    }
)

BLOCK = 64
ROLES = ["safety_officer", "institution_head"]


def grace() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "MONITORING_SEQ_GRACE", 120)))


def hold() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "MONITORING_SEQ_HOLD", 3600)))


def count_sequences(entries: list[tuple[int, str, int]], now: dt.datetime) -> None:
    """Add ``(device, boot, seq)`` of new messages to the block counters: one statement."""
    agg: dict[tuple[int, str, int], list[int]] = {}
    for device_id, boot, seq in set(entries):  # a message twice in one batch counts once
        key = (device_id, boot, seq // BLOCK)
        if key in agg:
            row = agg[key]
            row[0], row[1], row[2] = min(row[0], seq), max(row[1], seq), row[2] + 1
        else:
            agg[key] = [seq, seq, 1]
    if not agg:
        return
    table = SeqBlock._meta.db_table
    keys = list(agg)
    cols: list[list[Any]] = [
        [k[0] for k in keys],
        [k[1] for k in keys],
        [k[2] for k in keys],
        [agg[k][0] for k in keys],
        [agg[k][1] for k in keys],
        [agg[k][2] for k in keys],
    ]
    head = f"INSERT INTO {table} AS s (device_id, boot, block, low, high, received, last_at) "  # noqa: S608
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                head  # noqa: S608 (the table name is ours)
                + "SELECT d, b, k, l, h, n, %s FROM unnest(%s::bigint[], %s::varchar[], %s::bigint[], "
                "%s::bigint[], %s::bigint[], %s::bigint[]) AS v(d, b, k, l, h, n) "
                "ON CONFLICT (device_id, boot, block) DO UPDATE SET low = LEAST(s.low, EXCLUDED.low), "
                "high = GREATEST(s.high, EXCLUDED.high), received = s.received + EXCLUDED.received, "
                "last_at = GREATEST(s.last_at, EXCLUDED.last_at)",
                [now, int_array(cols[0]), text_array(cols[1]), *map(int_array, cols[2:])],
            )
            return
        at = connection.ops.adapt_datetimefield_value(now)
        values = ",".join(["(%s,%s,%s,%s,%s,%s,%s)"] * len(keys))
        params: list[Any] = []
        for values_of_one in zip(*cols, strict=True):
            params += [*values_of_one, at]
        cur.execute(
            head.replace(" AS s", "")  # noqa: S608 (the table name is ours)
            + f"VALUES {values} ON CONFLICT (device_id, boot, block) DO UPDATE SET "
            "low = min(low, excluded.low), high = max(high, excluded.high), "
            "received = received + excluded.received, last_at = max(last_at, excluded.last_at)",
            params,
        )


def settled_before(now: dt.datetime) -> dt.datetime:
    """Arrivals before this are final: the grace has passed, and no listener slot that stopped
    beating within ``hold()`` (its session may still hold messages) stopped before it."""
    cut = now - grace()
    silent_since = ListenerBeat.objects.filter(
        last_beat_at__gte=now - hold(),
        last_beat_at__lt=now - dt.timedelta(seconds=int(getattr(settings, "MQTT_LISTENER_SILENCE", 120))),
    ).aggregate(first=Min("last_beat_at"))["first"]
    return min(cut, silent_since) if silent_since else cut


def check_sequences(now: dt.datetime | None = None) -> int:
    """Judge the settled counters; publish one ``ops.sequence_gap`` per span with messages missing.
    Returns how many were published. Idempotent: a second run judges nothing twice."""
    now = now or timezone.now()
    cut = settled_before(now)
    keys = SeqBlock.objects.filter(last_at__lt=cut).values_list("device_id", "boot").distinct().order_by()
    published = 0
    for device_id, boot in list(keys):
        with transaction.atomic():
            published += _judge(device_id, boot, now, cut)
    return published


def _judge(device_id: int, boot: str, now: dt.datetime, cut: dt.datetime) -> int:
    rows = list(SeqBlock.objects.select_for_update().filter(device_id=device_id, boot=boot).order_by("block"))
    cursor = SeqCursor.objects.select_for_update().filter(device_id=device_id, boot=boot).first()
    if not rows:
        return 0
    if cursor is not None and rows[0].block < cursor.next // BLOCK:
        # Numbers below the judged point: the device restarted its counter without a new boot (or
        # messages came later than a listener slot's session could hold them). Start over, unjudged.
        SeqBlock.objects.filter(pk__in=[r.pk for r in rows]).delete()
        cursor.delete()
        return 0
    start = cursor.next if cursor is not None else rows[0].low
    counted = cursor.counted if cursor is not None else 0
    judged: list[SeqBlock] = []
    end: int | None = None
    partial = False
    for index, row in enumerate(rows):
        if row.last_at >= cut:
            break
        judged.append(row)
        if index < len(rows) - 1:
            end = row.block * BLOCK + BLOCK - 1
        else:
            end, partial = row.high, row.high < row.block * BLOCK + BLOCK - 1
    if end is None or end < start:
        return 0
    received = sum(r.received for r in judged)
    if cursor is not None and judged[0].block == cursor.next // BLOCK:
        received -= counted
    missing = (end - start + 1) - received  # more received than expected (redelivered heartbeats): none
    keep = judged[-1] if partial else None
    SeqBlock.objects.filter(pk__in=[r.pk for r in judged if r is not keep]).delete()
    SeqCursor.objects.update_or_create(
        device_id=device_id,
        boot=boot,
        defaults={"next": end + 1, "counted": keep.received if keep else 0, "updated_at": now},
    )
    if missing <= 0:
        return 0
    _publish(Device.objects.get(pk=device_id), boot, start, end, missing)
    return 1


def _publish(device: Device, boot: str, first: int, last: int, missing: int) -> None:
    title = messages.title_fields("ops.sequence_gap", code=device.code, n=missing, first=first, last=last)
    events.publish(
        "ops.sequence_gap",
        organization_id=device.organization_id,
        object_uuid=str(device.uuid),
        **title,
        url=f"/monitoring/devices/{device.uuid}/",
        severity=Severity.WARNING,
        roles=ROLES,
        device_uuid=str(device.uuid),
        boot=boot,
        first=first,
        last=last,
        missing=missing,
    )


def prune(now: dt.datetime | None = None) -> int:
    """Cursors of runs that ended long ago (a boot a week old with nothing left to judge)."""
    now = now or timezone.now()
    stale = SeqCursor.objects.filter(updated_at__lt=now - dt.timedelta(days=7))
    live = defaultdict(set)
    for device_id, boot in SeqBlock.objects.values_list("device_id", "boot"):
        live[device_id].add(boot)
    ids = [c.pk for c in stale if c.boot not in live.get(c.device_id, set())]
    return SeqCursor.objects.filter(pk__in=ids).delete()[0]

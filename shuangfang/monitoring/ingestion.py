"""Ingestion: the one domain function behind both transports (HTTP and MQTT). ``ingest`` takes
validated payloads with the device that sent them, refuses what it must (wrong device, bad
timestamp, rate), stores readings (deduplicated, batched) and hands them to the rules
(:mod:`.evaluation`)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shuangfang.core.pgarrays import float_array, int_array, text_array
from shuangfang.core.vocabulary import Severity

from .choices import Category
from .evaluation import Outcome, Run
from .models import Device, DeviceEvent, Reading, Rejection
from .rules import RuleSet, rule_set
from .schemas import FUTURE_TOLERANCE, Payload
from .sequences import count_sequences

log = logging.getLogger(__name__)

TOUCH_SECONDS = 30  # a device's last_seen_at / last_values are written at most this often
MAX_AGE = dt.timedelta(days=30)  # readings older than this are refused (a device clock gone wrong)


def device_rate_limit() -> int:
    """Messages a device may send per minute before the rest is refused."""
    return int(getattr(settings, "MONITORING_DEVICE_MSGS_PER_MINUTE", 1200))


class CacheLimiter:
    """Per-device message budget per minute in the shared cache (HTTP workers share it)."""

    def take(self, device: Device, n: int, now: dt.datetime) -> int:
        key = f"monitoring:rate:{device.pk}:{int(now.timestamp() // 60)}"
        cache.add(key, 0, 120)
        try:
            used = cache.incr(key, n)
        except ValueError:
            cache.set(key, n, 120)
            used = n
        limit = device_rate_limit()
        return max(0, min(n, limit - (used - n)))


class MemoryLimiter:
    """The same budget kept in one process (the MQTT listener: no network round trip per batch)."""

    def __init__(self) -> None:
        self.window = -1
        self.used: Counter[int] = Counter()

    def take(self, device: Device, n: int, now: dt.datetime) -> int:
        window = int(now.timestamp() // 60)
        if window != self.window:
            self.window, self.used = window, Counter()
        allowed = max(0, min(n, device_rate_limit() - self.used[device.pk]))
        self.used[device.pk] += n
        return allowed


def record_rejections(rows: list[tuple[Device | None, int | None, str, str, str]]) -> None:
    """(device, organization_id, transport, reason, detail): counted per device, logged (at most 50
    rows per call, so a flood cannot flood the log table)."""
    if not rows:
        return
    per_device: Counter[int] = Counter()
    last: dict[int, str] = {}
    for device, _org, _t, reason, detail in rows:
        if device is not None:
            per_device[device.pk] += 1
            last[device.pk] = f"{reason}: {detail}"[:200]
        log.info("monitoring rejected %s: %s %s", device.code if device else "?", reason, detail)
    Rejection.objects.bulk_create(
        [
            Rejection(
                device=device,
                organization_id=org_id or (device.organization_id if device else None),
                transport=transport,
                reason=reason,
                detail=detail[:300],
            )
            for device, org_id, transport, reason, detail in rows[:50]
        ]
    )
    for pk, n in per_device.items():
        Device.objects.filter(pk=pk).update(rejected_count=F("rejected_count") + n, last_rejection=last[pk])


def _resolve_target(sender: Device, payload: Payload, children: dict[str, Device | None]) -> Device | None:
    if payload.device_id == sender.code:
        return sender
    if sender.kind != "gateway":
        return None
    if payload.device_id not in children:
        children[payload.device_id] = (
            Device.objects.select_related("organization")
            .filter(code=payload.device_id, gateway=sender)
            .first()
        )
    return children[payload.device_id]


class Redelivered(Exception):
    """The plain insert met a reading stored before: the batch's transaction is undone and done
    again with ``_insert_returning`` (see ``_insert_readings``)."""


def _insert_readings(
    rows: list[tuple[int, str, dt.datetime, float]], *, plain: bool
) -> set[tuple[int, str, Any]] | None:
    """Store the rows; returns the keys actually stored (duplicates skipped), or ``None`` when every
    row was stored.

    The common case has no duplicate: the rows go in with one plain statement (``COPY`` on
    PostgreSQL, as the raw prototype does), the transaction's first, without a savepoint (two round
    trips a batch), and nothing is read back. When the database refuses a duplicate (a redelivery
    after a reconnect) it raises ``Redelivered``: the transaction is undone and the batch done again
    with ``plain=False``, as ``INSERT … ON CONFLICT DO NOTHING RETURNING``, to learn which keys are new."""
    if not plain:
        return _insert_returning(rows)
    try:
        _insert_plain(rows)
    except IntegrityError as exc:
        raise Redelivered from exc
    return None


def _insert_plain(rows: list[tuple[int, str, dt.datetime, float]]) -> None:
    table = Reading._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # psycopg's own cursor (COPY); its errors are turned into Django's (IntegrityError).
            with (
                connection.wrap_database_errors,
                cur.cursor.copy(f"COPY {table} (device_id, channel, ts, value) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            return
        adapt = connection.ops.adapt_datetimefield_value
        cur.executemany(
            f"INSERT INTO {table} (device_id, channel, ts, value) VALUES (%s, %s, %s, %s)",  # noqa: S608
            [(d, c, adapt(t), v) for d, c, t, v in rows],
        )


def _insert_returning(rows: list[tuple[int, str, dt.datetime, float]]) -> set[tuple[int, str, Any]]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING: the keys actually stored (duplicates skipped).
    PostgreSQL gets four arrays (``unnest``), so the statement stays small whatever the batch."""
    table = Reading._meta.db_table
    stored: set[tuple[int, str, Any]] = set()
    tail = "ON CONFLICT (device_id, channel, ts) DO NOTHING RETURNING device_id, channel, ts"
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cols = list(zip(*rows, strict=True))
            cur.execute(
                f"INSERT INTO {table} (device_id, channel, ts, value) "  # noqa: S608
                "SELECT * FROM unnest(%s::bigint[], %s::varchar[], %s::timestamptz[], %s::float8[]) " + tail,
                [
                    int_array(cols[0]),
                    text_array(cols[1]),
                    text_array(t.isoformat() for t in cols[2]),
                    float_array(cols[3]),
                ],
            )
            stored.update((d, c, _utc(t)) for d, c, t in cur.fetchall())
            return stored
        adapt = connection.ops.adapt_datetimefield_value
        for start in range(0, len(rows), 1000):
            chunk = rows[start : start + 1000]
            params: list[Any] = []
            for device_id, channel, ts, value in chunk:
                params += [device_id, channel, adapt(ts), value]
            values = ",".join(["(%s,%s,%s,%s)"] * len(chunk))
            cur.execute(
                f"INSERT INTO {table} (device_id, channel, ts, value) VALUES {values} " + tail,  # noqa: S608
                params,
            )
            stored.update((d, c, _utc(t)) for d, c, t in cur.fetchall())
    return stored


def _touch_devices(now: dt.datetime, latest: dict[int, dict[str, Any]]) -> None:
    """Mark the devices seen and merge their newest values into ``last_values`` in the database
    (a JSON merge, so two listeners writing different channels do not undo each other)."""
    table = Device._meta.db_table
    ids = list(latest)
    vals = [json.dumps(latest[pk]) for pk in ids]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                f"UPDATE {table} AS d SET online = true, offline_since = NULL, last_seen_at = %s, "  # noqa: S608
                "last_values = d.last_values || v.vals FROM unnest(%s::bigint[], %s::jsonb[]) AS v(id, vals) "
                "WHERE d.id = v.id",
                [now, int_array(ids), vals],
            )
            return
        values = ",".join(["(%s,%s)"] * len(ids))
        cur.execute(
            f"UPDATE {table} SET online = 1, offline_since = NULL, last_seen_at = %s, "  # noqa: S608
            f"last_values = json_patch(last_values, v.column2) FROM (VALUES {values}) AS v "
            f"WHERE {table}.id = v.column1",
            [
                connection.ops.adapt_datetimefield_value(now),
                *[x for pair in zip(ids, vals, strict=True) for x in pair],
            ],
        )


def _utc(value: Any) -> dt.datetime:
    """A returned timestamp as an aware UTC datetime (SQLite hands back naive UTC)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def ingest(
    items: Sequence[tuple[Device, Payload]],
    *,
    transport: str,
    now: dt.datetime | None = None,
    limiter: CacheLimiter | MemoryLimiter | None = None,
) -> Outcome:
    """Store and evaluate validated messages, each with the device that sent it (the authenticated
    HTTP token, or the MQTT topic). Returns what was accepted, duplicated, refused and opened.

    A device may only post for itself (a gateway also for the devices bound to it); timestamps far in
    the future or too old, inactive devices and messages over the per-device rate are refused with
    a reason, counted on the device and logged; the other messages go through."""
    now = now or timezone.now()
    outcome = Outcome()
    rejections: list[tuple[Device | None, int | None, str, str, str]] = []
    # 1. Who posts for whom; time sanity; rate.
    accepted = _screen(items, transport, now, limiter or CacheLimiter(), outcome, rejections)
    # 2. and 3. Readings stored, rules run (alarms committed right after).
    run = _store_and_evaluate(accepted, now, outcome)
    if run is not None:
        run.apply()
    record_rejections(rejections)
    return outcome


def _screen(
    items: Sequence[tuple[Device, Payload]],
    transport: str,
    now: dt.datetime,
    limiter: CacheLimiter | MemoryLimiter,
    outcome: Outcome,
    rejections: list[tuple[Device | None, int | None, str, str, str]],
) -> list[tuple[Device, Payload]]:
    """The messages that go through; the others are refused (in ``outcome`` and ``rejections``)."""
    children: dict[str, Device | None] = {}
    per_sender: dict[int, int] = Counter(sender.pk for sender, _p in items)
    budget: dict[int, int] = {}
    senders = {sender.pk: sender for sender, _p in items}
    for pk, n in per_sender.items():
        budget[pk] = limiter.take(senders[pk], n, now)
    accepted: list[tuple[Device, Payload]] = []
    for index, (sender, payload) in enumerate(items):

        def refuse(reason: str, detail: str, index=index, sender=sender) -> None:
            outcome.rejected.append({"index": index, "reason": reason, "detail": detail})
            rejections.append((sender, sender.organization_id, transport, reason, detail))

        if budget[sender.pk] <= 0:
            refuse("rate_limited", _("more than %(n)s messages a minute") % {"n": device_rate_limit()})
            continue
        budget[sender.pk] -= 1
        target = _resolve_target(sender, payload, children)
        if target is None:
            refuse(
                "wrong_device",
                _("device %(code)s may not post for %(other)s")
                % {"code": sender.code, "other": payload.device_id},
            )
            continue
        if not target.is_active or not sender.is_active:
            refuse("inactive_device", _("device %(code)s is deactivated") % {"code": target.code})
            continue
        if payload.ts > now + FUTURE_TOLERANCE:
            refuse(
                "future_timestamp", _("timestamp %(ts)s is in the future") % {"ts": payload.ts.isoformat()}
            )
            continue
        if payload.ts < now - MAX_AGE:
            refuse("too_old", _("timestamp %(ts)s is older than 30 days") % {"ts": payload.ts.isoformat()})
            continue
        accepted.append((target, payload))
    return accepted


def _store_and_evaluate(
    accepted: list[tuple[Device, Payload]], now: dt.datetime, outcome: Outcome
) -> Run | None:
    """Readings and the devices' last-seen in one transaction, the rules run in it; returns the run
    whose openings and recoveries are still to be committed (``run.apply()``)."""
    devices = {d.id: d for d, _p in accepted}
    # 2. Readings, batched in one transaction with the devices' last-seen (duplicates skipped).
    rows: dict[tuple[int, str, dt.datetime], float] = {}
    events: list[tuple[Device, Payload]] = []
    for device, payload in accepted:
        if payload.type == "telemetry":
            pk, ts = device.id, payload.ts
            for channel, value in payload.readings().items():
                rows[(pk, channel, ts)] = value
        elif payload.type != "heartbeat":
            events.append((device, payload))
    try:
        return _store_batch(accepted, devices, rows, events, now, outcome, plain=True)
    except Redelivered:  # nothing of the first attempt was kept, in the database or in memory
        return _store_batch(accepted, devices, rows, events, now, outcome, plain=False)


def _store_batch(
    accepted: list[tuple[Device, Payload]],
    devices: dict[int, Device],
    rows: dict[tuple[int, str, dt.datetime], float],
    events: list[tuple[Device, Payload]],
    now: dt.datetime,
    outcome: Outcome,
    *,
    plain: bool,
) -> Run | None:
    came_back: list[Device] = []
    run: Run | None = None
    with transaction.atomic():
        # First: a redelivery raises Redelivered here, before anything is changed in memory.
        stored = (
            _insert_readings([(d, c, t, v) for (d, c, t), v in rows.items()], plain=plain) if rows else None
        )
        touch: list[Device] = []
        for device in devices.values():
            if not device.online and device.last_seen_at is not None:
                came_back.append(device)
            every = min(TOUCH_SECONDS, device.heartbeat_seconds / 2)
            if (
                not device.online
                or device.last_seen_at is None
                or (now - device.last_seen_at).total_seconds() >= every
            ):
                touch.append(device)
            device.online = True
            device.offline_since = None
        if stored is None:  # the common case: nothing was a duplicate
            new_rows = sorted(((d, c, t, v) for (d, c, t), v in rows.items()), key=lambda r: r[2])
        else:
            new_rows = sorted(
                ((d, c, t, v) for (d, c, t), v in rows.items() if (d, c, _utc(t)) in stored),
                key=lambda r: r[2],
            )
        latest: dict[int, dict[str, Any]] = defaultdict(dict)
        newest: dict[int, dt.datetime] = {}
        for d, c, t, v in new_rows:
            latest[d][c] = v
            newest[d] = t  # in time order: the device's newest
        for pk, ts in newest.items():
            latest[pk]["_ts"] = ts.isoformat()
        for pk, values in latest.items():
            devices[pk].last_values = {**devices[pk].last_values, **values}
        if touch:
            _touch_devices(now, {t.pk: latest.get(t.pk, {}) for t in touch})
            for touched in touch:
                touched.last_seen_at = now
        outcome.accepted = len(accepted)
        outcome.duplicates = 0 if stored is None else len(rows) - len(stored)
        # 3. Rules and debounce state in the same transaction; openings and recoveries are
        # committed one by one right after it (run.apply()).
        fresh: set[int] = set()  # id() of the event messages stored for the first time
        if devices:
            run = Run(list(devices.values()), now, outcome, deferred=True)
            _evaluate_all(run, devices, came_back, new_rows, events, fresh)
        # 4. Sequence counters (one statement): messages seen for the first time only.
        count_sequences(_new_sequences(accepted, stored, fresh), now)
    return run


def _new_sequences(
    accepted: list[tuple[Device, Payload]], stored: set[tuple[int, str, Any]] | None, fresh: set[int]
) -> list[tuple[int, str, int]]:
    """(device, boot, seq) of the messages that are not redeliveries: telemetry with a reading stored
    now (``stored`` None: every reading was), an event stored now, a heartbeat (nothing stored: a
    redelivered heartbeat counts again)."""
    out: list[tuple[int, str, int]] = []
    for device, payload in accepted:
        if payload.seq is None:
            continue
        if payload.type == "telemetry" and payload.channels and stored is not None:
            ts = _utc(payload.ts)
            if not any((device.pk, c, ts) in stored for c in payload.readings()):
                continue
        elif payload.type not in ("telemetry", "heartbeat") and id(payload) not in fresh:
            continue
        out.append((device.pk, payload.boot, payload.seq))
    return out


def _evaluate_all(run: Run, devices: dict[int, Device], came_back, new_rows, events, fresh: set[int]) -> None:
    for device in came_back:
        run.recover(device, "device_offline")
    rule_sets: dict[tuple[str, int], RuleSet] = {}
    for d, c, t, v in new_rows:
        device = devices[d]
        key = (device.kind, device.organization_id)
        if key not in rule_sets:
            rule_sets[key] = rule_set(*key)
        run.evaluate(device, rule_sets[key], c, t, v)
    for device, payload in events:
        if _device_event(run, device, payload, rule_sets):
            fresh.add(id(payload))
    run.save()


def _device_event(run: Run, device: Device, payload: Payload, rule_sets) -> bool:
    """Store and evaluate a device event; False when it was stored before (a redelivery)."""
    try:
        with transaction.atomic():
            DeviceEvent.objects.create(
                device=device,
                msg_id=payload.msg_id or "",
                ts=payload.ts,
                type=payload.type,
                code=payload.code or "",
                channel=payload.channel or "",
                value=payload.value,
            )
    except IntegrityError:
        run.outcome.duplicates += 1
        return False
    key = (device.kind, device.organization_id)
    if key not in rule_sets:
        rule_sets[key] = rule_set(*key)
    code = payload.code or ""
    if payload.type == "recovery":
        if (device.pk, code) in run.active:
            run.recover(device, code)
        return True
    rule = rule_sets[key].event(code)
    run.raise_alarm(
        device,
        alarm_type=code,
        rule=rule,
        category=rule.category if rule else (Category.FAULT if payload.type == "fault" else Category.ALARM),
        severity=rule.severity if rule else (payload.severity or Severity.WARNING),
        channel=payload.channel or "",
        value=payload.value,
        threshold=payload.threshold,
        ts=payload.ts,
    )
    return True

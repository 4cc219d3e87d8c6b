"""What the ingest path does per batch (issue 16): no savepoints in the readings' transaction, no
rule comparison for a reading in every rule's quiet range, a redelivered reading undoing and
redoing the batch without losing a recovery, array parameters that PostgreSQL reads back as given,
and larger batches while the listener is behind."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shuangfang.core.pgarrays import float_array, int_array, text_array
from shuangfang.monitoring import mqtt
from shuangfang.monitoring.choices import AlarmStatus, Op
from shuangfang.monitoring.ingestion import ingest
from shuangfang.monitoring.models import Alarm, AlarmRule, Reading, RuleState

from .conftest import T0, telemetry

pytestmark = pytest.mark.django_db
NOW = T0 + dt.timedelta(minutes=10)


def test_a_batch_is_one_transaction_without_savepoints(kit):
    """The readings, the devices' last-seen, the debounce states and the sequence counters: one
    transaction without savepoints inside it (there were two, four round trips a batch)."""
    items = [
        (kit.meter, telemetry("EL-0001", T0 + dt.timedelta(seconds=i), residual_current_ma=400))
        for i in range(2)
    ]
    with CaptureQueriesContext(connection) as ctx:
        outcome = ingest(items, transport="mqtt", now=NOW)
    assert outcome.accepted == 2 and outcome.duplicates == 0
    assert RuleState.objects.filter(device=kit.meter, breaches=2).exists()
    sql = [q["sql"].upper() for q in ctx.captured_queries]
    # Inside the test's transaction the batch's own transaction is a savepoint: that one only.
    assert len([q for q in sql if q.startswith("SAVEPOINT")]) == 1
    assert Reading.objects.filter(device=kit.meter).count() == 2


def test_a_redelivered_reading_redoes_the_batch_and_keeps_the_recovery(kit):
    """A batch holding a reading stored before is undone and done again (learning which keys are
    new): the device's return still clears its offline alarm, the new reading is stored once."""
    ingest([(kit.meter, telemetry("EL-0001", T0, residual_current_ma=40))], transport="mqtt", now=NOW)
    kit.meter.refresh_from_db()
    kit.meter.online = False
    kit.meter.save(update_fields=["online"])
    Alarm.objects.create(
        organization=kit.meter.organization,
        device=kit.meter,
        alarm_type="device_offline",
        category="offline",
        severity="warning",
        opened_at=NOW,
        last_seen_at=NOW,
    )
    items = [
        (kit.meter, telemetry("EL-0001", T0, residual_current_ma=40)),
        (kit.meter, telemetry("EL-0001", T0 + dt.timedelta(seconds=10), residual_current_ma=41)),
    ]
    outcome = ingest(items, transport="mqtt", now=NOW + dt.timedelta(minutes=1))
    assert outcome.duplicates == 1 and outcome.accepted == 2
    assert Reading.objects.filter(device=kit.meter).count() == 2
    assert [a.alarm_type for a in outcome.cleared] == ["device_offline"]
    assert Alarm.objects.get(device=kit.meter, alarm_type="device_offline").status == AlarmStatus.CLEARED


def test_quiet_readings_are_not_compared_with_each_rule(kit, monkeypatch):
    """Readings well inside every rule's quiet range, from a device without a debounce state or an
    active alarm, cost no rule comparison; a breach still does."""
    calls: list[float] = []
    original = AlarmRule.breached

    def breached(rule: AlarmRule, value: float) -> bool:
        calls.append(value)
        return original(rule, value)

    monkeypatch.setattr(AlarmRule, "breached", breached)
    items = [
        (
            kit.meter,
            telemetry("EL-0001", T0 + dt.timedelta(seconds=i), residual_current_ma=20, arc_count_1s=0),
        )
        for i in range(5)
    ]
    ingest(items, transport="mqtt", now=NOW)
    assert calls == []
    ingest(
        [(kit.meter, telemetry("EL-0001", T0 + dt.timedelta(seconds=9), residual_current_ma=400))],
        transport="mqtt",
        now=NOW,
    )
    assert 400 in calls


def test_a_rules_quiet_range_agrees_with_breached_and_recovered():
    values = [x / 2 for x in range(-20, 21)]
    for op, threshold, recovery, inclusive in itertools.product(
        [Op.ABOVE, Op.BELOW, Op.EVENT], [None, -2.0, 0.0, 3.0], [None, -3.0, 0.0, 2.0, 4.0], [True, False]
    ):
        rule = AlarmRule(
            op=op, threshold=threshold, recovery_threshold=recovery, threshold_breaches=inclusive
        )
        low, high = rule.quiet()
        for v in values:
            if low < v < high:
                assert not rule.breached(v) and rule.recovered(v), (op, threshold, recovery, inclusive, v)


def test_array_parameters_reach_postgresql_as_given(db):
    texts = ["", "a,b", '{"x"}', "back\\slash", "NULL", " blank ", "中文", 'q"uote']
    floats = [0.1, -2.5, 1e-300, 123456789.123456789, 3.0]
    with connection.cursor() as cur:
        cur.execute(
            "SELECT %s::varchar[], %s::bigint[], %s::bigint[], %s::float8[]",
            [text_array(texts), int_array([1, -2, 2**62]), int_array([]), float_array(floats)],
        )
        got = cur.fetchone()
    assert got == (texts, [1, -2, 2**62], [], floats)


def test_a_redelivered_batch_is_stored_through_text_arrays(kit):
    """The duplicate path (INSERT … RETURNING from four arrays) stores timestamps and values exactly."""
    ts = dt.datetime(2026, 1, 18, 8, 0, 0, 123456, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    ingest([(kit.meter, telemetry("EL-0001", ts, residual_current_ma=0.1))], transport="mqtt", now=NOW)
    items = [
        (kit.meter, telemetry("EL-0001", ts, residual_current_ma=0.1)),
        (kit.meter, telemetry("EL-0001", ts + dt.timedelta(microseconds=1), residual_current_ma=123.456789)),
    ]
    outcome = ingest(items, transport="mqtt", now=NOW)
    assert outcome.duplicates == 1
    rows = list(Reading.objects.filter(device=kit.meter).order_by("ts").values_list("ts", "value"))
    assert rows == [(ts, 0.1), (ts + dt.timedelta(microseconds=1), 123.456789)]


class CountingListener(mqtt.Listener):
    def __init__(self) -> None:
        super().__init__(batch_size=10, host="127.0.0.1", port=1)
        self.batches: list[int] = []

    def process(self, batch) -> None:
        self.batches.append(len(batch))


def test_a_listener_behind_takes_larger_batches():
    """A backlog (a full batch waiting behind the first message) is taken in batches of up to four
    times the batch size; a short queue in batches of at most the batch size."""
    listener = CountingListener()
    for i in range(95):
        listener.inbox.put(mqtt.Held(i + 1, 1, "sf/x/y/up", b"{}"))
    while listener.step(wait=0.0):
        pass
    assert listener.batches == [40, 40, 15]


def test_the_database_connection_is_checked_at_most_once_a_second(db, monkeypatch):
    """Django's health check costs a round trip (SELECT 1): not one per batch."""
    checks = []
    monkeypatch.setattr(mqtt, "close_old_connections", lambda: checks.append(1))
    listener = mqtt.Listener(host="127.0.0.1", port=1)
    for _ in range(3):
        listener.process([mqtt.Held(1, 0, "elsewhere/x/up", b"{}")])
    assert listener.stats.rejected == 3
    assert len(checks) == 1


BODIES = [
    b'{"device_id":"EL-0001","ts":"2026-01-18T00:00:00Z","channels":{"residual_current_ma":42,"temp_c":{"L1":36.5}}}',
    b'{"device_id":" EL-0001 ","ts":"2026-01-18T08:00:00+08:00","seq":1.0,"boot":"b",'
    b'"channels":{" temp_c ":true}}',
    b'{"device_id":"EL-0001","ts":1768694400,"channels":{"temp_c":1e400}}',
    b'{"device_id":"EL-0001","ts":"2026-01-18T00:00:00Z","channels":{"temp_c":NaN}}',
    b'{"device_id":"EL-0001","ts":"2026-01-18T00:00:00Z","ts":"2026-01-18T00:01:00Z","channels":{"temp_c":1,"temp_c":2}}',
    b'{"device_id":"EL-0001","ts":"2026-01-18T00:00:00","channels":{}}',
    b'{"device_id":"EL-0001","ts":"2026-01-18T00:00:00Z","type":"alarm"}',
    b'{"device_id":"EL-0001","ts":"2026-01-18T00:00:00Z","type":"fault","code":"tamper","severity":"major"}',
    b'{"device_id":"EL-0001","ts":"2026-01-18T00:00:00Z","channels":{"voltage_v":-5}}',
    b'{"device_id":"EL-0001","ts":"2026-01-18T00:00:00Z","channels":{"temp_c":"36.5"},"extra":[1,{"a":null}]}',
    b'{"device_id":"EL-0001","ts":"2026-01-18T00:00:00Z","status":{"fw":"1.2"},"msg_id":"'
    + b"x" * 65
    + b'"}',
    b'{"device_id":"EL-0001","ts":"2026-01-18T00:00:00Z","seq":-1}',
    b'{"device_id":"EL-0001","ts":"2026-01-18T00:00:00Z","channels":{"t\\u0000":1}}',
    b'{"device_id":"EL-0001\\ud800","ts":"2026-01-18T00:00:00Z"}',
    b'\xef\xbb\xbf{"device_id":"EL-0001","ts":"2026-01-18T00:00:00Z"}',
    '{"device_id":"EL-0001","ts":"2026-01-18T00:00:00Z"}'.encode("utf-16"),
    b'{"device_id":"EL-0001","ts":"2026-01-18T00:00:00Z"',
    b"[]",
    b'"text"',
    b"{}",
    b"",
]


def test_pydantic_reading_the_json_gives_what_json_loads_and_validation_give(kit, monkeypatch):
    """The listener lets pydantic read a canonical message's JSON; the payload, or the reason and
    detail of a refusal, are those of the general path (``decode`` and ``model_validate``)."""
    listener = mqtt.Listener(host="127.0.0.1", port=1)
    topic = f"sf/{kit.meter.organization.uuid}/EL-0001/up"

    def parsed() -> list[tuple[object, object]]:
        out: list[tuple[object, object]] = []
        for body in BODIES:
            _device, payload, problem = listener.parse(mqtt.Held(1, 1, topic, body))
            out.append((payload.model_dump() if payload is not None else None, problem))
        return out

    fast = parsed()
    monkeypatch.setattr(mqtt.adapters, "is_canonical", lambda device: False)
    assert fast == parsed()
    assert fast[0][0] is not None and fast[0][1] is None


def test_a_message_from_an_earlier_connection_is_not_acknowledged_on_the_next(db, monkeypatch):
    """After a reconnect its packet id may name another message (the broker sends the unacknowledged
    one again): the listener stores what it holds but acknowledges only this connection's messages."""
    monkeypatch.setattr(mqtt, "close_old_connections", lambda: None)  # (it would end the test's transaction)
    listener = mqtt.Listener(host="127.0.0.1", port=1)
    acked: list[int] = []
    monkeypatch.setattr(listener.client, "ack", lambda mid, qos: acked.append(mid))
    listener.connection_no = 2
    listener.process(
        [
            mqtt.Held(7, 1, "elsewhere/x/up", b"{}", connection_no=1),
            mqtt.Held(8, 1, "elsewhere/y/up", b"{}", connection_no=2),
        ]
    )
    assert listener.stats.rejected == 2
    assert acked == [8]

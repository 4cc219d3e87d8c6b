"""/health and /health/ready as the operator's monitoring uses them (issue 23): open without a
login, cheap (a fixed handful of queries however much is waiting), answering with counts and times
only, and naming each failing part: the database, an outbox that is late or has given up, the
media folder's free space. (The worker queue and the MQTT listeners: test_health_queue.py and
monitoring/tests/test_watchdog.py.)"""

from __future__ import annotations

import datetime as dt
import json
from collections import namedtuple

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shuangfang.core import events, outbox
from shuangfang.core.models import OutboxEvent
from shuangfang.core.tests.test_outbox import alarm

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)
# Everything /health/ready may say: counts, times, states. Nothing else (no host names, paths,
# versions, settings, user or institution data).
READY_KEYS = {"status", "problems", "database", "outbox", "queue_pending", "media_free_mb", "mqtt_last_beat"}
OUTBOX_KEYS = {"due", "retrying", "failed", "oldest_due_seconds"}


@pytest.fixture
def no_kick(monkeypatch):
    """Events wait in the outbox (no worker is told on commit), as when the workers are behind."""
    monkeypatch.setattr(outbox, "kick", lambda: None)


def _publish(world, n: int = 1) -> None:
    events.publish("alarm.opened", **alarm(world, n))


def _values(body: object) -> list[object]:
    if isinstance(body, dict):
        return [v for x in body.values() for v in _values(x)]
    if isinstance(body, list):
        return [v for x in body for v in _values(x)]
    return [body]


def test_both_answer_without_a_login_and_reveal_nothing_but_counts(client, settings, world):
    settings.MQTT_URL = "mqtt://listener:s3cret-pw@broker.internal:1883"
    live = client.get("/health")
    assert live.status_code == 200 and live.json() == {"status": "ok"}
    ready = client.get("/health/ready")
    assert ready.status_code in (200, 503)  # answered, not sent to the login page
    body = ready.json()
    assert set(body) <= READY_KEYS, set(body) - READY_KEYS
    assert set(body["outbox"]) == OUTBOX_KEYS
    text = json.dumps(body, ensure_ascii=False)
    for secret in ("s3cret", "broker.internal", settings.SECRET_KEY, str(settings.MEDIA_ROOT), "postgres"):
        assert secret not in text
    for value in _values(body):
        assert value is None or isinstance(value, int | float | str), value
        if isinstance(value, str):
            assert len(value) <= 40, value  # states, problem names, ISO times
    assert ready["Cache-Control"].startswith("max-age=0")  # never_cache: a proxy keeps no stale answer


def test_ready_is_cheap_whatever_is_waiting(client, world, no_kick):
    with CaptureQueriesContext(connection) as few:
        client.get("/health/ready")
    for n in range(50):
        _publish(world, n)
    assert OutboxEvent.objects.pending().count() >= 50
    with CaptureQueriesContext(connection) as many:
        assert client.get("/health/ready").json()["outbox"]["due"] >= 50
    assert len(many) == len(few) <= 8, [q["sql"] for q in many.captured_queries]


def test_an_outbox_left_waiting_too_long_is_late(client, world, no_kick):
    with time_machine.travel(T0, tick=False) as clock:
        _publish(world)
        clock.shift(dt.timedelta(seconds=outbox.backlog()["oldest_due_seconds"] + 299))
        assert client.get("/health/ready").status_code == 200  # 4 min 59 s: still in time
        clock.shift(dt.timedelta(seconds=2))
        r = client.get("/health/ready")
        assert r.status_code == 503 and "outbox_late" in r.json()["problems"]
        assert r.json()["outbox"]["oldest_due_seconds"] > 300
        outbox.drain()
        assert client.get("/health/ready").status_code == 200


def test_a_full_media_disk_is_named(client, world, monkeypatch):
    import shutil

    usage = namedtuple("usage", "total used free")
    mb = 2**20
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10240 * mb, 9729 * mb, 511 * mb))
    r = client.get("/health/ready")
    assert r.status_code == 503 and r.json()["problems"] == ["disk"] and r.json()["media_free_mb"] == 511
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10240 * mb, 9728 * mb, 512 * mb))
    assert client.get("/health/ready").status_code == 200


def test_a_database_that_does_not_answer_is_named(client, world, monkeypatch):
    from shuangfang.core import ops

    class Down:
        def __enter__(self):
            raise ConnectionError("server closed the connection unexpectedly (host db.internal)")

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(ops.connection, "cursor", lambda: Down())
    r = client.get("/health/ready")
    assert r.status_code == 503
    body = r.json()
    assert body["database"] == "down" and body["problems"] == ["database"]
    assert "db.internal" not in r.content.decode()
    assert client.get("/health").status_code == 200  # liveness needs no database

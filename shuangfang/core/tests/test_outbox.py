"""The transactional outbox: events exist only with their change, every consumer's effect happens
exactly once (a consumer that fails once, always, a worker killed between commit and consume or in
the middle of consuming, two workers at once), and what keeps failing is visible and retryable."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest
import time_machine
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from pydantic import ValidationError

from shuangfang.core import events, outbox
from shuangfang.core.models import AuditEntry, OutboxEvent
from shuangfang.core.tests.concurrency import at_once
from shuangfang.events import KINDS, IncidentAcknowledged, Notice
from shuangfang.hazards import consumers as hazard_consumers
from shuangfang.hazards.models import Hazard
from shuangfang.notifications.models import Incident

ROOT = Path(__file__).resolve().parents[3]
T0 = dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC)


def alarm(world, n: int = 1, **over) -> dict:
    fields = {
        "organization_id": world.inst_a.pk,
        "object_uuid": f"alarm-{n}",
        "title": f"烟感报警 {n}",
        "url": f"/monitoring/alarms/alarm-{n}/",
        "severity": "critical",
        "device_uuid": f"dev-{n}",
        "alarm_type": "smoke",
        "open_hazard": True,
        "hazard_description": "厨房烟感报警",
    }
    fields.update(over)
    return fields


@pytest.fixture
def no_kick(monkeypatch):
    """As if the worker were down when the change committed: nothing drains until asked."""
    monkeypatch.setattr(outbox, "kick", lambda: None)


class Flaky:
    """Wraps ``report_hazard`` in the hazards consumer: raises ``times`` times, then works."""

    def __init__(self, monkeypatch, times: int) -> None:
        self.left = times
        self.real = hazard_consumers.report_hazard
        monkeypatch.setattr(hazard_consumers, "report_hazard", self)

    def __call__(self, **kw):
        if self.left:
            self.left -= 1
            raise RuntimeError("database of hazards unavailable")
        return self.real(**kw)


def rows(kind: str = "alarm.opened", consumer: str = "hazard_from_alarm"):
    return OutboxEvent.objects.filter(kind=kind, consumer__endswith=consumer)


# --- Writing -------------------------------------------------------------------------------------


def test_one_row_per_consumer_with_the_change_and_none_without(world, no_kick):
    with transaction.atomic():
        events.publish("alarm.opened", **alarm(world, 1))
    with pytest.raises(RuntimeError), transaction.atomic():
        events.publish("alarm.opened", **alarm(world, 2))
        raise RuntimeError("the alarm's own change failed")
    written = OutboxEvent.objects.all()
    assert sorted(r.consumer.rsplit(".", 1)[1] for r in written) == [
        "fan_out",
        "hazard_from_alarm",
        "open_alarm_incident",
    ]
    assert {r.origin_key for r in written} == {"alarm:alarm-1:opened"}
    assert all(r.state == "pending" and r.attempts == 0 for r in written)


def test_a_storm_opens_every_incident_before_the_rest_of_the_work(world, no_kick, monkeypatch):
    """Alarms published one after another: their incidents (which reach the person on duty) are
    drained first, then the hazards and the webhooks, each group oldest first."""
    for n in range(3):
        events.publish("alarm.opened", **alarm(world, n))
    ran: list[str] = []
    monkeypatch.setattr(
        outbox,
        "consumer",
        lambda path: lambda kind, p: ran.append(f"{path.rsplit('.', 1)[1]}:{p.object_uuid}"),
    )
    assert outbox.drain() == 3 * len(KINDS["alarm.opened"].consumers)
    assert ran[:3] == [f"open_alarm_incident:alarm-{n}" for n in range(3)]
    assert not any(r.startswith("open_alarm_incident") for r in ran[3:])


def test_the_same_fact_published_twice_is_written_once(world, no_kick):
    events.publish("alarm.opened", **alarm(world))
    events.publish("alarm.opened", **alarm(world, title="again"))
    assert OutboxEvent.objects.count() == len(KINDS["alarm.opened"].consumers)


def test_payloads_are_typed_at_publish(world):
    with pytest.raises(LookupError, match="not listed"):
        events.publish("alarm.exploded", **alarm(world))
    with pytest.raises(ValidationError):
        events.publish("alarm.opened", **alarm(world, unexpected="field"))
    with pytest.raises(ValidationError):
        events.publish("alarm.opened", **{k: v for k, v in alarm(world).items() if k != "device_uuid"})
    with pytest.raises(TypeError):
        outbox.emit(
            "alarm.opened",
            IncidentAcknowledged(organization_id=1, object_uuid="x", title="t"),
        )
    assert not OutboxEvent.objects.exists()


def test_every_kind_has_consumers_that_exist_and_take_its_payload():
    import inspect

    for kind, spec in KINDS.items():
        assert spec.consumers, f"{kind} has no consumer"
        for path in spec.consumers:
            fn = outbox.consumer(path)
            params = list(inspect.signature(fn).parameters)
            assert params[:2] == ["kind", "event"], f"{path} must take (kind, event)"


def test_every_kind_and_consumer_is_documented():
    doc = (ROOT / "docs" / "events.md").read_text()
    for kind, spec in KINDS.items():
        assert f"`{kind}`" in doc, f"docs/events.md does not describe {kind}"
        assert f"`{spec.payload.__name__}`" in doc, (
            f"docs/events.md does not describe {spec.payload.__name__}"
        )
        for path in spec.consumers:
            assert f"`{path.split('shuangfang.', 1)[1]}`" in doc, f"docs/events.md does not name {path}"


# --- Consuming -----------------------------------------------------------------------------------


def test_normal_path_runs_right_after_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        events.publish("alarm.opened", **alarm(world))
    assert Hazard.objects.filter(origin="alarm:alarm-1").count() == 1
    assert Incident.objects.filter(source_uuid="alarm-1").count() == 1
    assert not OutboxEvent.objects.pending().exists()


def test_a_consumer_that_fails_once_is_retried_after_backoff_and_runs_once(world, no_kick, monkeypatch):
    Flaky(monkeypatch, times=1)
    with time_machine.travel(T0, tick=False) as clock:
        events.publish("alarm.opened", **alarm(world))
        assert outbox.drain() == len(KINDS["alarm.opened"].consumers)
        row = rows().get()
        assert row.state == "pending" and row.attempts == 1 and "unavailable" in row.last_error
        assert row.next_attempt_at == T0 + dt.timedelta(seconds=10)
        # The other consumer of the same event is not held up by this one.
        assert Incident.objects.filter(source_uuid="alarm-1").count() == 1
        assert not Hazard.objects.exists()
        assert outbox.drain() == 0  # not due yet
        clock.shift(dt.timedelta(seconds=10))
        outbox.drain()  # the hazard, then the message its own "reported" event asks for
        assert outbox.drain() == 0
    row.refresh_from_db()
    assert row.state == "done" and row.attempts == 2
    assert Hazard.objects.filter(origin="alarm:alarm-1").count() == 1
    assert Incident.objects.filter(source_uuid="alarm-1").count() == 1


def test_a_failing_consumer_leaves_no_half_done_work(world, no_kick, monkeypatch):
    """The consumer's own writes before it raised are rolled back with it."""
    real = hazard_consumers.report_hazard

    def half(**kw):
        real(**kw)
        raise RuntimeError("after the hazard was written")

    monkeypatch.setattr(hazard_consumers, "report_hazard", half)
    events.publish("alarm.opened", **alarm(world))
    outbox.drain()
    assert not Hazard.objects.exists()
    assert rows().get().attempts == 1


def test_a_consumer_that_always_fails_is_given_up_shown_and_retried_by_an_administrator(
    world, no_kick, monkeypatch, login, settings
):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    flaky = Flaky(monkeypatch, times=10**6)
    with time_machine.travel(T0, tick=False) as clock:
        events.publish("alarm.opened", **alarm(world))
        for _ in range(3):
            outbox.drain()
            clock.shift(dt.timedelta(hours=1))
        row = rows().get()
        assert row.state == "failed" and row.attempts == 3
        assert outbox.drain() == 0  # given up: no more attempts by itself
        assert outbox.backlog()["failed"] == 1

        admin = login(world.users["admin"])
        page = admin.get(reverse("core:outbox"))
        assert page.status_code == 200
        html = page.content.decode()
        assert "alarm:alarm-1:opened" in html and "unavailable" in html
        health = admin.get(reverse("core:health_ready"))
        assert health.status_code == 503 and health.json()["outbox"]["failed"] == 1
        # Only an administrator retries.
        officer = login(world.users["safety_officer"])
        assert officer.post(reverse("core:outbox"), {"retry": [row.pk]}).status_code in (403, 404)
        assert rows().get().state == "failed"

        flaky.left = 0  # the fault is mended
        r = admin.post(reverse("core:outbox"), {"retry": [row.pk]})
        assert r.status_code == 302
        assert outbox.drain() >= 1
    row.refresh_from_db()
    assert row.state == "done"
    assert Hazard.objects.filter(origin="alarm:alarm-1").count() == 1
    entry = AuditEntry.objects.get(action="outbox.retry")
    assert entry.actor == world.users["admin"] and "unavailable" in str(entry.changes)
    assert admin.get(reverse("core:health_ready")).status_code == 200


def test_a_worker_killed_between_commit_and_consume_loses_nothing(world, no_kick):
    """The kick never reached a worker: the periodic drain does the work."""
    from shuangfang.core.tasks import drain_outbox_periodic

    events.publish("alarm.opened", **alarm(world))
    assert not Hazard.objects.exists()
    drain_outbox_periodic.call_local()
    assert Hazard.objects.filter(origin="alarm:alarm-1").count() == 1
    assert Incident.objects.filter(source_uuid="alarm-1").count() == 1


def test_the_flow_from_a_sensor_survives_a_hazard_service_failure(world, monkeypatch, settings):
    """The issue's case: an over-limit reading while ``report_hazard`` fails once. The alarm and the
    incident open; the hazard follows on the retry instead of being lost in a log line."""
    from shuangfang.monitoring.tests.conftest import make_kit
    from shuangfang.monitoring.tests.test_ingest import feed

    Flaky(monkeypatch, times=1)
    kit = make_kit(world)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        with monkeypatch.context() as m:
            m.setattr(outbox, "kick", lambda: None)
            feed(kit, [350, 350, 350])
            from shuangfang.monitoring.models import Alarm

            alarm_row = Alarm.objects.get()
            outbox.drain()
        assert Incident.objects.filter(source_uuid=str(alarm_row.uuid)).exists()
        failed = OutboxEvent.objects.filter(consumer__endswith="hazard_from_alarm").get()
        assert failed.attempts == 1 and failed.state == "pending"
        clock.shift(dt.timedelta(minutes=1))
        outbox.drain()
    failed.refresh_from_db()
    assert failed.state == "done"
    assert Hazard.objects.filter(origin=f"alarm:{alarm_row.uuid}").count() == 1


# --- Two workers, and a worker killed mid-way (PostgreSQL: row locks across connections) --------


def _postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks across connections are exercised on PostgreSQL (SQLite has one writer)")


@pytest.mark.django_db(transaction=True)
def test_two_workers_draining_at_once_do_each_effect_once(world, no_kick):
    _postgres()
    for n in range(40):
        events.publish("alarm.opened", **alarm(world, n))
    done = at_once(outbox.drain, n=2)
    # 40 alarms × their consumers, and the 40 "hazard reported" events' consumers the hazards asked for.
    alarms, reported = (len(KINDS[k].consumers) for k in ("alarm.opened", "hazard.reported"))
    assert sum(done) == 40 * alarms + 40 * reported
    assert Hazard.objects.count() == 40 and Incident.objects.count() == 40
    assert set(OutboxEvent.objects.values_list("attempts", flat=True)) == {1}
    assert not OutboxEvent.objects.pending().exists()


CHILD = textwrap.dedent(
    """
    import os, sys, time
    import django
    django.setup()
    from shuangfang.core import outbox
    from shuangfang.hazards import consumers
    real = consumers.report_hazard
    def slow(**kw):
        hazard = real(**kw)
        print("written", flush=True)
        time.sleep(120)  # killed here: the hazard is written, the transaction not committed
        return hazard
    consumers.report_hazard = slow
    outbox.drain()
    """
)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_the_middle_of_a_consumer_loses_nothing_and_doubles_nothing(world, no_kick):
    _postgres()
    events.publish("alarm.opened", **alarm(world))
    db = connection.settings_dict
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shuangfang.config.settings",
        "SHUANGFANG_TESTING": "1",
        "DATABASE_URL": f"postgres://{db['USER']}@{host}:{port}/{db['NAME']}",
    }
    child = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", CHILD], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.strip() == "written", line
        # The first worker did the incident (it comes first) and holds the hazard's row: a second
        # worker meanwhile skips that row instead of waiting for it or doing it too.
        assert Incident.objects.filter(source_uuid="alarm-1").count() == 1
        # (waiting for the lock would hang here until the kill); the consumers after the held one
        # (the webhook fan-out) are not held up: the second worker does them.
        assert outbox.drain() == len(KINDS["alarm.opened"].consumers) - 2
        assert not Hazard.objects.exists()
        os.kill(child.pid, signal.SIGKILL)
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
    deadline = time.monotonic() + 30
    while outbox.drain() == 0 and time.monotonic() < deadline:  # the server notices the dead session
        time.sleep(0.2)
    assert Hazard.objects.filter(origin="alarm:alarm-1").count() == 1
    row = rows().get()
    assert row.state == "done" and row.attempts == 1  # the killed attempt left no trace
    assert Incident.objects.filter(source_uuid="alarm-1").count() == 1


# --- Periodic jobs: once per schedule, however many schedulers -----------------------------------


def test_schedule_slot_is_the_latest_matching_minute():
    from huey import crontab

    from shuangfang.core.schedule import slot

    at = dt.datetime(2026, 3, 2, 10, 7, 31, tzinfo=dt.UTC)
    assert slot(crontab(minute="5"), at) == dt.datetime(2026, 3, 2, 10, 5, tzinfo=dt.UTC)
    assert slot(crontab(minute="*"), at) == dt.datetime(2026, 3, 2, 10, 7, tzinfo=dt.UTC)
    assert slot(crontab(minute="*/10"), at) == dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    assert slot(crontab(hour="18", minute="40"), at) == dt.datetime(2026, 3, 1, 18, 40, tzinfo=dt.UTC)


def test_a_periodic_job_enqueued_by_two_schedulers_runs_once_per_slot(world, monkeypatch):
    from shuangfang.hazards import services as hazard_services
    from shuangfang.hazards.tasks import hazard_reminders

    runs: list[int] = []
    monkeypatch.setattr(hazard_services, "send_reminders", lambda: runs.append(1))
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 5, 2, tzinfo=dt.UTC), tick=False) as clock:
        hazard_reminders.call_local()
        hazard_reminders.call_local()  # the second worker's scheduler enqueued it too
        clock.shift(dt.timedelta(minutes=3))  # a worker that picks it up late: still the 10:05 slot
        hazard_reminders.call_local()
        assert runs == [1]
        clock.shift(dt.timedelta(hours=1))
        hazard_reminders.call_local()
    assert runs == [1, 1]


# --- Every consumer: fails once, fails always, runs twice ----------------------------------------


def sample(world, kind: str) -> dict:
    """A payload of ``kind`` that makes each of its consumers do real work at institution A."""
    base = {"organization_id": world.inst_a.pk, "object_uuid": _uuid(kind, 1), "title": f"测试 {kind}"}
    officer = world.users["safety_officer"].pk
    payload = KINDS[kind].payload
    extras: dict[str, dict] = {
        "HazardNotice": {"hazard_id": 1, "number": "YH-2026-0001", "event_id": 1, "recipient_ids": [officer]},
        "TaskMissed": {"task_uuid": "t-1", "roles": ["safety_officer"]},
        "ProblemFound": {
            "description": "灭火器压力不足",
            "origin": "inspection-item:i-1",
            "record_uuid": "r-1",
            "roles": ["safety_officer"],
            "reporter_id": officer,
        },
        "AlarmNotice": {
            "device_uuid": "d-1",
            "alarm_type": "smoke",
            "open_hazard": True,
            "hazard_description": "烟感报警",
            "severity": "critical",
            "recipient_ids": [officer],
        },
        "IncidentAcknowledged": {
            "source_kind": "alarm",
            "source_uuid": _uuid("alarm", 1),
            "acknowledged_by_id": officer,
        },
        "ReportGenerated": {"generated_at": "2026-03-01T02:40:00+08:00", "recipient_ids": [officer]},
        "OpsNotice": {"since": "2026-03-01T02:40:00+08:00", "recipient_ids": [officer]},
        "JobFinished": {"recipient_ids": [officer]},
        "EquipmentDue": {
            "what": "inspection",
            "due_on": "2026-06-01",
            "days_before": 30,
            "roles": ["safety_officer"],
        },
        "ExpiryNotice": {"valid_until": "2026-04-01", "roles": ["safety_officer"]},
        "WebhookSwitchedOff": {"since": "2026-03-01T02:40:00+08:00", "recipient_ids": [officer]},
        "SituationFound": {
            "reporter_id": officer,
            "criterion_code": "elderly-2023-4-1",
            "description": "消防验收不合格",
            "assessment_uuid": "a-1",
            "roles": ["safety_officer"],
        },
        "SequenceGap": {
            "device_uuid": "d-1",
            "boot": "b1",
            "first": 100,
            "last": 163,
            "missing": 3,
            "roles": ["safety_officer"],
        },
        "MeasureChanged": {
            "measure_uuid": _uuid(kind, 1),
            "what_to_check": "报警器是否正常",
            "changed_at": "2026-03-01T02:40:00+08:00",
        },
        "LetterOverdue": {"due": "2026-03-01", "recipient_ids": [officer]},
        "StayOverdue": {"ends": "2026-03-01", "roles": ["safety_officer"]},
        "RevisitsDue": {"period": "2026-07", "recipient_ids": [officer]},
        "RevisitsOverdue": {"period": "2026-07", "recipient_ids": [officer]},
        "RegisterMatched": {"side": "station", "recipient_ids": [officer]},
        "CaseRegistered": {"case_uuid": _uuid(kind, 1)},
        "ReadinessNotice": {"key": "1:2:2026-03-01", "recipient_ids": [officer]},
        "PublicReportReceived": {"roles": ["safety_officer"]},
    }
    if not issubclass(payload, Notice):  # a payload no one is told about: no title, no object
        base = {"organization_id": base["organization_id"]}
    return {**base, **extras[payload.__name__]}


def effects() -> tuple[int, ...]:
    from shuangfang.monitoring.models import Alarm
    from shuangfang.notifications.models import Notification

    return (
        Hazard.objects.count(),
        Incident.objects.count(),
        Incident.objects.exclude(status="open").count(),
        Notification.objects.count(),
        Alarm.objects.exclude(status="open").count(),
    )


CONSUMERS = [(kind, path) for kind, spec in KINDS.items() for path in spec.consumers]


@pytest.mark.parametrize(
    ("kind", "path"), CONSUMERS, ids=[f"{k}>{p.rsplit('.', 1)[1]}" for k, p in CONSUMERS]
)
def test_each_consumer_survives_a_failure_and_a_replay(world, no_kick, kind, path, settings):
    """Raise once: retried and done once. Raise always: given up, nothing half done. Run again with
    the same event: no second effect (idempotent by origin)."""
    settings.OUTBOX_MAX_ATTEMPTS = 2
    real = outbox.consumer(path)
    calls = {"n": 0, "fail": 1}

    def flaky(k, event):
        calls["n"] += 1
        if calls["fail"]:
            calls["fail"] -= 1
            raise RuntimeError("injected")
        return real(k, event)

    outbox._consumers[path] = flaky
    try:
        with time_machine.travel(T0, tick=False) as clock:
            events.publish(kind, **sample(world, kind))
            mine = OutboxEvent.objects.get(kind=kind, consumer=path)
            outbox.drain()
            mine.refresh_from_db()
            assert mine.state == "pending" and mine.attempts == 1 and "injected" in mine.last_error
            clock.shift(dt.timedelta(minutes=1))
            outbox.drain()
            mine.refresh_from_db()
            assert mine.state == "done" and mine.attempts == 2
            after = effects()
            # A replay of the same event (an administrator's retry, a second delivery) does nothing more.
            real(kind, outbox.payload_for(kind, mine.payload))
            outbox.drain()
            assert effects() == after
            # The same event published again is the same row.
            events.publish(kind, **sample(world, kind))
            assert OutboxEvent.objects.filter(kind=kind, consumer=path).count() == 1

            calls["fail"] = 10
            events.publish(kind, **{**sample(world, kind), **_other_origin(kind)})
            again = OutboxEvent.objects.exclude(pk=mine.pk).get(kind=kind, consumer=path)
            for _ in range(3):
                outbox.drain()
                clock.shift(dt.timedelta(hours=1))
            again.refresh_from_db()
            assert again.state == "failed" and again.attempts == 2
    finally:
        outbox._consumers.pop(path, None)


def _other_origin(kind: str) -> dict:
    payload = KINDS[kind].payload.__name__
    if payload == "HazardNotice":
        return {"event_id": 2}
    if payload == "TaskMissed":
        return {"task_uuid": "t-2"}
    if payload == "ProblemFound":
        return {"origin": "inspection-item:i-2"}
    if payload == "ReportGenerated":
        return {"generated_at": "2026-03-02T02:40:00+08:00"}
    if payload == "OpsNotice":
        return {"since": "2026-03-02T02:40:00+08:00"}
    if payload == "SequenceGap":
        return {"first": 164, "last": 227}
    if payload == "MeasureChanged":
        return {"changed_at": "2026-03-02T02:40:00+08:00"}
    if payload == "ReadinessNotice":
        return {"key": "1:2:2026-03-02"}
    if payload == "CaseRegistered":
        return {"case_uuid": _uuid(kind, 2)}
    return {"object_uuid": _uuid(kind, 2)}


def _uuid(kind: str, n: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{kind}/{n}"))


def test_a_burst_of_commits_queues_one_drain(world, monkeypatch, django_capture_on_commit_callbacks):
    from shuangfang.core import tasks

    queued: list[int] = []
    real = tasks.drain_outbox_now
    monkeypatch.setattr(tasks, "drain_outbox_now", lambda: queued.append(1))
    for n in range(10):
        with django_capture_on_commit_callbacks(execute=True):
            events.publish("alarm.opened", **alarm(world, n))
    assert len(queued) == 1  # one drain queued, not started yet: it will take all ten
    real.call_local()  # the worker starts it: the next commit kicks again
    with django_capture_on_commit_callbacks(execute=True):
        events.publish("alarm.opened", **alarm(world, 99))
    assert len(queued) == 2
    assert Incident.objects.count() == 10  # the drain the worker ran took the first ten

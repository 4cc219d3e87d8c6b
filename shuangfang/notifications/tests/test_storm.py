"""A storm of alarms: the worker that drains the outbox opens each incident and sends its first SMS
with it, without a second kick and a free worker thread (issue 16); once, whatever fails."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.utils import timezone

from shuangfang.core import events, outbox
from shuangfang.core.models import OutboxEvent
from shuangfang.duty.tests.helpers import shift_a
from shuangfang.notifications import engine, tasks
from shuangfang.notifications.choices import ContactKind, DeliveryStatus
from shuangfang.notifications.models import Contact, Delivery, Incident
from shuangfang.notifications.providers import save_provider

from .helpers import policy_a
from .receiver import SECRET

# 10:00 in Shanghai: the day shift of ``shift_a`` is on duty.
DAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
N = 5


@pytest.fixture
def desk(world, receiver, monkeypatch):
    """The on-duty step sends an SMS (Aliyun, to the receiver); no kick reaches a worker, neither
    the outbox's (``drain`` is called by the test) nor the sweep's (counted)."""
    policy_a(world)
    shift_a(world)
    for i, who in enumerate(("staff", "department_head")):
        Contact.objects.create(
            user=world.users[who],
            kind=ContactKind.PHONE,
            address=f"1390000000{i}",
            verified_at=timezone.now(),
        )
    save_provider(
        actor=world.root,
        organization=world.inst_a,
        kind="aliyun_sms",
        name="sms",
        endpoint=receiver.url + "/aliyun-sms",
        access_key="LTAItest",
        secret=SECRET,
        params={
            "sign_name": "双防平台",
            "template_code": "SMS_1",
            "template_params": ["org", "title", "link"],
        },
    )
    sweeps: list[int] = []
    monkeypatch.setattr(outbox, "kick", lambda: None)
    monkeypatch.setattr(tasks, "enqueue_process_due", lambda: sweeps.append(1))
    return sweeps


def _alarms(world, n: int = N) -> None:
    for i in range(n):
        events.publish(
            "alarm.opened",
            organization_id=world.inst_a.pk,
            object_uuid=f"storm-{i}",
            title=f"电弧故障 {i}",
            url=f"/monitoring/alarms/storm-{i}/",
            severity="critical",
            device_uuid=f"dev-{i}",
            alarm_type="arc_fault",
        )


def _sms() -> list[Delivery]:
    return list(Delivery.objects.filter(channel="sms").order_by("pk"))


def test_the_drain_sends_each_new_incidents_first_sms_without_another_kick(
    world, receiver, desk, django_capture_on_commit_callbacks
):
    with time_machine.travel(DAY, tick=False):
        _alarms(world)
        with django_capture_on_commit_callbacks(execute=True):
            outbox.drain()
        assert Incident.objects.filter(source_kind="alarm").count() == N
        sms = _sms()
        assert len(sms) == N
        assert {(d.status, d.attempts) for d in sms} == {(DeliveryStatus.SENT, 1)}
        assert [s.verdict for s in receiver.seen] == ["ok"] * N
        assert desk == []  # the sweep was not needed
        for incident in Incident.objects.all():
            assert incident.step_index == 1
            assert incident.next_escalation_at == timezone.now() + dt.timedelta(minutes=5)
        # The sweep that comes along later finds nothing of it left to do.
        engine.process_due()
    assert len(receiver.seen) == N and len(_sms()) == N


def test_a_first_step_that_fails_is_left_to_the_sweep_and_runs_once(
    world, receiver, desk, monkeypatch, django_capture_on_commit_callbacks
):
    real = engine.run_step
    calls: list[int] = []

    def broken_once(incident, now, cache=None):
        calls.append(incident.pk)
        if len(calls) == 1:
            real(incident, now, cache)  # its writes are rolled back with it
            raise RuntimeError("roster unavailable")
        real(incident, now, cache)

    monkeypatch.setattr(engine, "run_step", broken_once)
    with time_machine.travel(DAY, tick=False):
        _alarms(world, 2)
        with django_capture_on_commit_callbacks(execute=True):
            outbox.drain()
        # Both incidents are open; the second's SMS went out, the first's step is the sweep's.
        assert Incident.objects.count() == 2 and not outbox.backlog()["due"]
        assert len(_sms()) == 1 and len(receiver.seen) == 1
        assert desk == [1]
        first = Incident.objects.get(pk=calls[0])
        assert first.step_index == 0 and first.next_escalation_at == timezone.now()
        engine.process_due()
        engine.process_due()
    assert len(_sms()) == 2 and len(receiver.seen) == 2
    assert {d.attempts for d in _sms()} == {1}


def test_a_send_that_fails_after_the_commit_leaves_the_sms_to_the_sweep(
    world, receiver, desk, monkeypatch, django_capture_on_commit_callbacks
):
    """The incident and its step are committed; the attempt right after cannot claim (the database
    went away, a worker killed there): the SMS is queued and due, and the sweep sends it once."""

    def no_claim(*args, **kwargs):
        raise RuntimeError("connection lost")

    with time_machine.travel(DAY, tick=False):
        _alarms(world, 1)
        with monkeypatch.context() as m:
            m.setattr(engine, "claim_deliveries", no_claim)
            with django_capture_on_commit_callbacks(execute=True):
                outbox.drain()
        (sms,) = _sms()
        assert sms.status == DeliveryStatus.QUEUED and not receiver.seen
        assert desk == [1]
        engine.process_due()
        engine.process_due()
    (sms,) = _sms()
    assert (sms.status, sms.attempts) == (DeliveryStatus.SENT, 1) and len(receiver.seen) == 1


def test_a_storm_drained_together_looks_up_the_roster_and_the_policy_once(
    world, receiver, desk, monkeypatch, django_capture_on_commit_callbacks
):
    """The incidents of alarms due together are opened in one transaction (one batch of the drain),
    their first steps share the roster, the policy and the providers, and their SMS are claimed
    together after the commit."""
    from shuangfang.notifications import incidents

    looked_up: list[str] = []
    for module, name in ((incidents, "choose_policy"), (engine, "on_duty"), (engine, "claim_deliveries")):
        real = getattr(module, name)

        def counted(*args, _real=real, _name=name, **kwargs):
            looked_up.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)
    with time_machine.travel(DAY, tick=False):
        _alarms(world)
        with django_capture_on_commit_callbacks(execute=True):
            assert outbox.run_next() == N  # the incidents, together; then the webhooks, one by one
            assert outbox.run_next() == 1
    assert sorted(looked_up) == ["choose_policy", "claim_deliveries", "on_duty"]
    assert [s.verdict for s in receiver.seen] == ["ok"] * N
    assert {(d.status, d.attempts) for d in _sms()} == {(DeliveryStatus.SENT, 1)}


def test_an_alarm_that_fails_in_a_batch_is_rolled_back_alone(
    world, receiver, desk, monkeypatch, django_capture_on_commit_callbacks
):
    from shuangfang.notifications import consumers

    real = consumers.open_incident

    def fails_for_the_second(**kw):
        incident = real(**kw)
        if kw["source_uuid"] == "storm-1":
            raise RuntimeError("after the incident and its step were written")
        return incident

    monkeypatch.setattr(consumers, "open_incident", fails_for_the_second)
    with time_machine.travel(DAY, tick=False):
        _alarms(world, 3)
        with django_capture_on_commit_callbacks(execute=True):
            assert outbox.run_next() == 3
        assert sorted(Incident.objects.values_list("source_uuid", flat=True)) == ["storm-0", "storm-2"]
        assert len(_sms()) == 2 and len(receiver.seen) == 2
        row = OutboxEvent.objects.get(
            consumer__endswith="open_alarm_incident", origin_key="alarm:storm-1:opened"
        )
        assert row.state == "pending" and row.attempts == 1 and "after the incident" in row.last_error
    monkeypatch.setattr(consumers, "open_incident", real)
    with (
        time_machine.travel(DAY + dt.timedelta(minutes=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        outbox.drain()
    assert Incident.objects.count() == 3
    assert len(_sms()) == 3 and len(receiver.seen) == 3
    assert {d.attempts for d in _sms()} == {1}
